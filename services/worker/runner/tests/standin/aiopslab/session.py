"""Session recording: SessionItem {role, content} and the session JSON file."""

import json
import time
import uuid

from aiopslab.paths import RESULTS_DIR


class SessionItem:
    """A tiny pydantic-like model: attributes, model_dump(), model_validate()."""

    def __init__(self, role, content):
        self.role = role
        self.content = content

    def model_dump(self):
        return {"role": self.role, "content": self.content}

    @classmethod
    def model_validate(cls, data):
        return cls(role=data["role"], content=data["content"])

    def __repr__(self):
        return f"SessionItem(role={self.role!r}, content={self.content!r})"


class Session:
    def __init__(self, results_dir=None) -> None:
        self.session_id = uuid.uuid4()
        self.pid = None
        self.problem = None
        self.solution = None
        self.results = {}
        self.history = []
        self.start_time = None
        self.end_time = None
        self.agent_name = None
        self.results_dir = results_dir

    def set_problem(self, problem, pid=None):
        self.problem = problem
        self.pid = pid

    def set_solution(self, solution):
        self.solution = solution

    def set_results(self, results):
        self.results = results

    def set_agent(self, agent_name):
        self.agent_name = agent_name

    def add(self, item):
        if isinstance(item, SessionItem):
            self.history.append(item)
        elif isinstance(item, dict):
            self.history.append(SessionItem.model_validate(item))
        else:
            raise TypeError("Unsupported type %s" % type(item))

    def start(self):
        self.start_time = time.time()

    def end(self):
        self.end_time = time.time()

    def get_duration(self) -> float:
        return self.end_time - self.start_time

    def to_dict(self):
        return {
            "agent": self.agent_name,
            "session_id": str(self.session_id),
            "problem_id": self.pid,
            "start_time": self.start_time,
            "end_time": self.end_time,
            "trace": [item.model_dump() for item in self.history],
            "results": self.results,
        }

    def to_json(self):
        results_dir = self.results_dir if self.results_dir else RESULTS_DIR
        results_dir.mkdir(parents=True, exist_ok=True)  # a str results_dir crashes here, as upstream
        with open(results_dir / f"{self.session_id}_{self.start_time}.json", "w") as f:
            json.dump(self.to_dict(), f, indent=4, default=str)
