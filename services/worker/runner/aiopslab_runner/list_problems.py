"""`--list-problems`: AIOpsLab's problem catalog, with each id's task type, as one protocol line.

Problems this service does not run are listed apart, under `unsupported`, each with its reason.
"""

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from aiopslab_runner.agent_shell import LOCAL_SHELL
from aiopslab_runner.aiopslab_loader import load_problem_registry_class
from aiopslab_runner.events import EventWriter
from aiopslab_runner.exit_codes import EXIT_FAILED, EXIT_OK
from aiopslab_runner.failure_report import report_failure
from aiopslab_runner.kube_home import isolate_home
from aiopslab_runner.problem_support import unsupported_reason
from aiopslab_runner.run_phases import SETUP
from aiopslab_runner.signals import TerminatedBySignal

TASK_TYPES = ("detection", "localization", "analysis", "mitigation")
DATA_DIR_NAME = "aiopslab-data"


def problem_catalog(registry: Any) -> tuple:
    """Ids are not uniform enough to parse, so each task type is asked of the registry itself."""
    task_type_of: dict = {}
    for task_type in TASK_TYPES:
        for problem_id in registry.get_problem_ids(task_type=task_type):
            task_type_of.setdefault(problem_id, task_type)
    supported, unsupported = [], []
    for problem_id in registry.get_problem_ids():
        entry = {"id": problem_id, "task_type": task_type_of.get(problem_id)}
        reason = unsupported_reason(registry, problem_id)
        if reason:
            unsupported.append({**entry, "reason": reason})
        else:
            supported.append(entry)
    return supported, unsupported


def list_problems_command(events: EventWriter) -> int:
    # Listing needs no cluster: a throwaway HOME with a placeholder kubeconfig lets AIOpsLab import,
    # whatever kubeconfig the worker's own environment names.
    home = Path(tempfile.mkdtemp(prefix="aiopslab-runner-home-"))
    try:
        isolate_home(home, None, os.environ)
        registry = load_problem_registry_class(Path.cwd() / DATA_DIR_NAME, LOCAL_SHELL)()
        problems, unsupported = problem_catalog(registry)
    except TerminatedBySignal as exc:
        report_failure(events, SETUP, exc)
        raise
    except BaseException as exc:
        report_failure(events, SETUP, exc)
        return EXIT_FAILED
    finally:
        shutil.rmtree(home, ignore_errors=True)
    events.emit("problems", problems=problems, unsupported=unsupported)
    return EXIT_OK
