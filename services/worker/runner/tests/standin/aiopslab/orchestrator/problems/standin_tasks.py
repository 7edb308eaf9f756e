"""Stand-in problems: one class per task type, same methods the orchestrator calls upstream."""

import time

from aiopslab import _standin
from aiopslab.utils.status import InvalidActionError, SubmissionStatus

ACTION_DOCS = {
    "exec_shell": "Execute a shell command.\n\nArgs:\n    command (str): The command to run.",
    "get_logs": "Collect logs of a service.\n\nArgs:\n    namespace (str)\n    service (str)",
    "submit": "Submit your solution.",
}


class StandinApp:
    def __init__(self, namespace):
        self.namespace = namespace

    def delete(self):
        _standin.make_noise(f"delete {self.namespace}")

    def deploy(self):
        _standin.make_noise(f"helm install {self.namespace}")
        _standin.mark("app-deployed", self.namespace)
        pause = float(_standin.setting("STANDIN_SETUP_SLEEP_S", "0") or 0)
        if pause:
            time.sleep(pause)

    def cleanup(self):
        _standin.make_noise(f"kubectl delete namespace {self.namespace}")
        if _standin.setting("STANDIN_APP_CLEANUP_FAIL"):
            raise RuntimeError(f"Error deleting namespace '{self.namespace}':\n(500) Internal Server Error")
        _standin.mark("app-cleaned-up", self.namespace)


class StandinTask:
    time_key = None

    def __init__(self, problem_id, namespace, expected, never_ready=()):
        self.problem_id = problem_id
        self.namespace = namespace
        self.expected = expected
        self.app = StandinApp(namespace)
        self.results = {}
        _standin.NEVER_READY_NAMESPACES.update(never_ready)

    def get_task_description(self):
        return f"Stand-in {type(self).__name__} for the {self.namespace} app (problem {self.problem_id})."

    def get_instructions(self):
        return "Respond with exactly one API call in a fenced block:\n```\n<API_NAME>(<ARGS>)\n```"

    def get_available_actions(self):
        return dict(ACTION_DOCS)

    def inject_fault(self):
        _standin.make_noise("inject fault")
        _standin.mark("fault-injected", self.problem_id)

    def recover_fault(self):
        print("[standin] recovering the injected fault", flush=True)
        time.sleep(float(_standin.setting("STANDIN_RECOVERY_SLEEP_S", "0") or 0))
        if _standin.setting("STANDIN_RECOVER_FAIL"):
            raise RuntimeError("deployment.apps \"geo\" not found")
        _standin.mark("fault-recovered", self.problem_id)

    def start_workload(self):
        _standin.make_noise("start wrk2 workload")

    def perform_action(self, action_name, *args, **kwargs):
        if action_name not in ACTION_DOCS:
            raise InvalidActionError(action_name)
        return getattr(self, action_name)(*args, **kwargs)

    def exec_shell(self, command, timeout=30):
        _standin.make_noise(f"exec_shell {command}")
        pause = float(_standin.setting("STANDIN_ACTION_SLEEP_S", "0") or 0)
        if pause:
            time.sleep(pause)
            _standin.mark("action-finished", command)  # a signal mid-sleep never gets here
        output = f"NAME                READY   STATUS    RESTARTS\n{self.namespace}-pod   1/1     Running   0\n"
        padding = int(_standin.setting("STANDIN_HUGE_OUTPUT_BYTES", "0") or 0)
        return output + "x" * padding

    def get_logs(self, namespace, service):
        return f"logs of {service} in {namespace}: connection refused"

    def eval(self, soln, trace, duration):
        if _standin.setting("STANDIN_EVAL_FAIL"):
            raise RuntimeError("kubernetes API unreachable during eval")
        self.results = {
            "steps": sum(1 for item in trace if item.role == "assistant"),
            "in_tokens": sum(len(str(item.content)) // 4 for item in trace if item.role == "env"),
            "out_tokens": sum(len(str(item.content)) // 4 for item in trace if item.role == "assistant"),
            self.time_key: duration,
        }
        self.results.update(self.judge(soln))
        return self.results


class DetectionTask(StandinTask):
    time_key = "TTD"

    def submit(self, has_anomaly):
        return SubmissionStatus.VALID_SUBMISSION if isinstance(has_anomaly, str) else SubmissionStatus.INVALID_SUBMISSION

    def judge(self, soln):
        if soln not in ("Yes", "No"):
            return {"Detection Accuracy": "Invalid Format"}
        return {"Detection Accuracy": "Correct" if soln == self.expected else "Incorrect"}


class LocalizationTask(StandinTask):
    time_key = "TTL"

    def submit(self, faulty_components):
        return SubmissionStatus.VALID_SUBMISSION if isinstance(faulty_components, list) else SubmissionStatus.INVALID_SUBMISSION

    def judge(self, soln):
        found = set(soln or []) & set(self.expected)
        return {
            "Localization Accuracy": 100.0 * len(found) / len(self.expected),
            "success": set(soln or []) == set(self.expected),
            "is_subset": set(soln or []) <= set(self.expected),
        }


class AnalysisTask(StandinTask):
    time_key = "TTA"

    def submit(self, analysis):
        return SubmissionStatus.VALID_SUBMISSION if isinstance(analysis, dict) else SubmissionStatus.INVALID_SUBMISSION

    def judge(self, soln):
        soln = soln if isinstance(soln, dict) else {}
        system_level = soln.get("system_level") == self.expected["system_level"]
        fault_type = soln.get("fault_type") == self.expected["fault_type"]
        return {"system_level_correct": system_level, "fault_type_correct": fault_type, "success": system_level and fault_type}


class MitigationTask(StandinTask):
    time_key = "TTM"

    def submit(self):
        return SubmissionStatus.VALID_SUBMISSION

    def judge(self, soln):
        return {"success": True}
