"""What `--cleanup-problem` reads from the ended task's spec: the problem, where it ran, and how.

Only these fields are checked, so a task that failed on, say, its agent_config can still have
its cluster cleaned up from the same file.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from aiopslab_runner import PROTOCOL_VERSION
from aiopslab_runner.agent_shell import AgentShell, parse_agent_shell
from aiopslab_runner.errors import InvalidTaskSpec
from aiopslab_runner.spec import ClusterSpec, parse_cluster, read_spec_file


@dataclass(frozen=True)
class CleanupSpec:
    problem_id: str
    work_dir: Path
    cluster: Optional[ClusterSpec]
    agent_shell: AgentShell


def load_cleanup_spec(path: str) -> CleanupSpec:
    return parse_cleanup_spec(read_spec_file(path))


def parse_cleanup_spec(raw: Any) -> CleanupSpec:
    if not isinstance(raw, dict):
        raise InvalidTaskSpec("task spec must be a JSON object")
    problems = []
    if raw.get("protocol_version") != PROTOCOL_VERSION:
        problems.append(f"protocol_version must be {PROTOCOL_VERSION}, got {raw.get('protocol_version')!r}")
    for name in ("problem_id", "work_dir"):
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            problems.append(f"{name} must be a non-empty string")
    if raw.get("cluster") is not None and not isinstance(raw["cluster"], dict):
        problems.append("cluster must be an object or null")
    if problems:
        raise InvalidTaskSpec("invalid task spec: " + "; ".join(problems))
    cluster = parse_cluster(raw.get("cluster"))
    return CleanupSpec(
        problem_id=raw["problem_id"],
        work_dir=Path(raw["work_dir"]).absolute(),
        cluster=cluster,
        agent_shell=parse_agent_shell(
            raw.get("agent_shell"), cluster.provider if cluster else None, cluster.name if cluster else None
        ),
    )
