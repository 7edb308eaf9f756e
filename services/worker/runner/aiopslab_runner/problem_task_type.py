"""A problem's task type, as AIOpsLab's registry files it (ids are never parsed here)."""

from typing import Any, Optional

TASK_TYPES = ("detection", "localization", "analysis", "mitigation")


def task_type_of(registry: Any, problem_id: str) -> Optional[str]:
    """The first task type whose registry listing holds the id, as `--list-problems` reports it."""
    for task_type in TASK_TYPES:
        if problem_id in registry.get_problem_ids(task_type=task_type):
            return task_type
    return None
