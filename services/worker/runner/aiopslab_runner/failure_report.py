"""Turns an exception into the protocol's `error` event."""

import sys
import traceback

from aiopslab_runner.errors import error_type_of, is_retryable, origin_of
from aiopslab_runner.events import EventWriter
from aiopslab_runner.run_phases import EVAL, LOOP, SETUP, TEARDOWN

PROTOCOL_PHASES = (SETUP, LOOP, EVAL, TEARDOWN)


def report_failure(events: EventWriter, phase: str, exc: BaseException, cluster_touched: bool = True) -> None:
    """`cluster_touched=False` tells the worker the cluster is still clean (docs/runner-protocol.md)."""
    error_type = error_type_of(exc)
    message = str(exc) or error_type
    print(f"aiopslab-runner: {phase} failed: {error_type}: {message}", file=sys.stderr)
    events.error(
        phase=phase if phase in PROTOCOL_PHASES else TEARDOWN,
        error_type=error_type,
        message=message,
        retryable=is_retryable(exc),
        traceback="".join(traceback.format_exception(exc)),
        origin=origin_of(exc),
        cluster_touched=cluster_touched,
    )
