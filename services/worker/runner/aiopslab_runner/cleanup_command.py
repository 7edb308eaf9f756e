"""`--cleanup-problem`: the problem's own cleanup for the task that just ended on this cluster.

Reads TASK_SPEC_FILE and prepares the environment as a task run does, then runs
problem_cleanup.py's steps. Exit 0 only when every step succeeded. The last stderr line is the
outcome (the worker shows it); the protocol fd carries only `log` events.
"""

import sys
from pathlib import Path
from typing import MutableMapping

from aiopslab_runner.aiopslab_loader import load_problem_registry_class
from aiopslab_runner.cleanup_spec import load_cleanup_spec
from aiopslab_runner.environment import prepare_cluster_environment
from aiopslab_runner.events import EventWriter
from aiopslab_runner.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from aiopslab_runner.problem_cleanup import clean_up_problem, one_line, summary
from aiopslab_runner.problem_support import require_known_problem
from aiopslab_runner.signals import TerminatedBySignal

DATA_DIR_NAME = "aiopslab-data"
PREFIX = "aiopslab-runner --cleanup-problem:"


def cleanup_problem_command(events: EventWriter, environ: MutableMapping[str, str]) -> int:
    spec_path = environ.get("TASK_SPEC_FILE")
    if not spec_path:
        _last_line("cannot start: TASK_SPEC_FILE is not set; point it at the spec of the task that ran on this cluster")
        return EXIT_USAGE
    problem_id = "?"
    try:
        spec = load_cleanup_spec(spec_path)
        problem_id = spec.problem_id
        for warning in prepare_cluster_environment(spec.work_dir, spec.cluster, spec.agent_shell, environ):
            events.log("warning", warning)
        registry = load_problem_registry_class(spec.work_dir / DATA_DIR_NAME, spec.agent_shell)()
        require_known_problem(registry, problem_id)
    except TerminatedBySignal as exc:
        _last_line(f"cleanup of {problem_id} stopped before it began: {exc}")
        raise
    except Exception as exc:
        _last_line(f"cleanup of {problem_id} failed before its first step: {type(exc).__name__}: {one_line(str(exc))}")
        return EXIT_FAILED
    return _run_steps(events, registry, problem_id)


def _run_steps(events: EventWriter, registry: object, problem_id: str) -> int:
    events.log("info", f"cleaning up problem {problem_id}: recover_fault, then app.cleanup")
    try:
        outcomes = clean_up_problem(registry, problem_id)
    except TerminatedBySignal as exc:
        _last_line(f"cleanup of {problem_id} stopped: {exc}")
        raise
    for outcome in outcomes:
        events.log("info" if outcome.ok else "error", f"{outcome.step}: {'ok' if outcome.ok else outcome.error}")
    _last_line(summary(problem_id, outcomes))
    return EXIT_OK if all(outcome.ok for outcome in outcomes) else EXIT_FAILED


def _last_line(text: str) -> None:
    # AIOpsLab's buffered prints must come out before the outcome, never after it.
    sys.stdout.flush()
    sys.stderr.write(f"{PREFIX} {text}\n")
    sys.stderr.flush()
