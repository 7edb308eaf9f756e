"""The default command: run the task described by TASK_SPEC_FILE and map failures to events."""

from typing import MutableMapping

from aiopslab_runner.events import EventWriter
from aiopslab_runner.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from aiopslab_runner.failure_report import report_failure
from aiopslab_runner.run_phases import DONE, SETUP, RunPhases
from aiopslab_runner.run_problem import run_problem
from aiopslab_runner.signals import TerminatedBySignal
from aiopslab_runner.spec import load_task_spec


def run_task_command(events: EventWriter, environ: MutableMapping[str, str]) -> int:
    spec_path = environ.get("TASK_SPEC_FILE")
    if not spec_path:
        events.error(SETUP, "UsageError", "TASK_SPEC_FILE is not set", retryable=False, cluster_touched=False)
        return EXIT_USAGE
    phases = RunPhases()
    try:
        run_problem(load_task_spec(spec_path), events, phases, environ)
    except TerminatedBySignal as exc:
        if phases.current != DONE:
            report_failure(events, phases.current, exc, phases.cluster_touched)
        # Leaving through SystemExit is what runs AIOpsLab's atexit fault recovery.
        raise
    except BaseException as exc:  # every failure, SystemExit from inside AIOpsLab included, is reported
        report_failure(events, phases.current, exc, phases.cluster_touched)
    return EXIT_FAILED if events.error_emitted else EXIT_OK
