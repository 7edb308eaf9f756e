"""The task spec file (TASK_SPEC_FILE): loaded once, validated, every problem reported at once."""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from aiopslab_runner import PROTOCOL_VERSION
from aiopslab_runner.agent_config import AgentConfig, parse_agent_config
from aiopslab_runner.agent_shell import LOCAL_SHELL, AgentShell, parse_agent_shell
from aiopslab_runner.errors import InvalidTaskSpec


@dataclass(frozen=True)
class ClusterSpec:
    provider: Optional[str]
    name: Optional[str]
    kubeconfig: Optional[str]
    context: Optional[str]


@dataclass(frozen=True)
class TaskSpec:
    task_id: str
    attempt: int
    problem_id: str
    agent: AgentConfig
    max_steps: int
    work_dir: Path
    results_dir: Path
    timeout_minutes: Optional[float] = None
    parameters: dict = field(default_factory=dict)
    cluster: Optional[ClusterSpec] = None
    agent_shell: AgentShell = LOCAL_SHELL


def load_task_spec(path: str) -> TaskSpec:
    return parse_task_spec(read_spec_file(path))


def read_spec_file(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as spec_file:
            return json.load(spec_file)
    except OSError as exc:
        raise InvalidTaskSpec(f"cannot read task spec {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise InvalidTaskSpec(f"task spec {path} is not valid JSON: {exc}") from None


def parse_task_spec(raw: Any) -> TaskSpec:
    if not isinstance(raw, dict):
        raise InvalidTaskSpec("task spec must be a JSON object")
    problems = _find_problems(raw)
    if problems:
        raise InvalidTaskSpec("invalid task spec: " + "; ".join(problems))
    cluster = parse_cluster(raw.get("cluster"))
    return TaskSpec(
        task_id=raw["task_id"],
        attempt=raw["attempt"],
        problem_id=raw["problem_id"],
        agent=parse_agent_config(raw["agent_config"]),
        max_steps=raw["max_steps"],
        work_dir=Path(raw["work_dir"]).absolute(),
        results_dir=Path(raw["results_dir"]).absolute(),
        timeout_minutes=raw.get("timeout_minutes"),
        parameters=dict(raw.get("parameters") or {}),
        cluster=cluster,
        agent_shell=parse_agent_shell(
            raw.get("agent_shell"), cluster.provider if cluster else None, cluster.name if cluster else None
        ),
    )


def _find_problems(raw: dict) -> list:
    problems = []
    if raw.get("protocol_version") != PROTOCOL_VERSION:
        problems.append(f"protocol_version must be {PROTOCOL_VERSION}, got {raw.get('protocol_version')!r}")
    for name in ("task_id", "problem_id", "work_dir", "results_dir"):
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            problems.append(f"{name} must be a non-empty string")
    for name in ("attempt", "max_steps"):
        if not _is_positive_int(raw.get(name)):
            problems.append(f"{name} must be a positive integer")
    if "agent_config" not in raw:
        problems.append("agent_config is required")
    timeout = raw.get("timeout_minutes")
    if timeout is not None and (not _is_number(timeout) or timeout <= 0):
        problems.append("timeout_minutes must be a positive number")
    if raw.get("parameters") is not None and not isinstance(raw["parameters"], dict):
        problems.append("parameters must be an object")
    if raw.get("cluster") is not None and not isinstance(raw["cluster"], dict):
        problems.append("cluster must be an object or null")
    return problems


def parse_cluster(raw: Optional[dict]) -> Optional[ClusterSpec]:
    if raw is None:
        return None

    def text(key: str) -> Optional[str]:
        value = raw.get(key)
        return value if isinstance(value, str) and value else None

    return ClusterSpec(text("provider"), text("name"), text("kubeconfig"), text("context"))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1
