"""`--list-problems`: AIOpsLab's problem catalog, with each id's task type, as one protocol line."""

from pathlib import Path
from typing import Any

from aiopslab_runner.aiopslab_loader import load_problem_registry_class
from aiopslab_runner.events import EventWriter
from aiopslab_runner.exit_codes import EXIT_FAILED, EXIT_OK
from aiopslab_runner.failure_report import report_failure
from aiopslab_runner.run_phases import SETUP
from aiopslab_runner.signals import TerminatedBySignal

TASK_TYPES = ("detection", "localization", "analysis", "mitigation")
DATA_DIR_NAME = "aiopslab-data"


def problem_catalog(registry: Any) -> list:
    """Ids are not uniform enough to parse, so each task type is asked of the registry itself."""
    task_type_of: dict = {}
    for task_type in TASK_TYPES:
        for problem_id in registry.get_problem_ids(task_type=task_type):
            task_type_of.setdefault(problem_id, task_type)
    return [{"id": pid, "task_type": task_type_of.get(pid)} for pid in registry.get_problem_ids()]


def list_problems_command(events: EventWriter) -> int:
    try:
        registry = load_problem_registry_class(Path.cwd() / DATA_DIR_NAME)()
        problems = problem_catalog(registry)
    except TerminatedBySignal as exc:
        report_failure(events, SETUP, exc)
        raise
    except BaseException as exc:
        report_failure(events, SETUP, exc)
        return EXIT_FAILED
    events.emit("problems", problems=problems)
    return EXIT_OK
