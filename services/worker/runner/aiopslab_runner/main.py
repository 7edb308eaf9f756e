"""Composition root: arguments, protocol channel, SIGTERM handling, then one command."""

import argparse
import os
import sys
from typing import Optional, Sequence

from aiopslab_runner.cleanup_command import cleanup_problem_command
from aiopslab_runner.errors import UsageError
from aiopslab_runner.events import EventWriter
from aiopslab_runner.exit_codes import EXIT_USAGE
from aiopslab_runner.lifeline import start_lifeline_if_requested
from aiopslab_runner.list_problems import list_problems_command
from aiopslab_runner.protocol import open_protocol_channel
from aiopslab_runner.signals import TerminationHandler
from aiopslab_runner.task_command import run_task_command


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parse_args(argv)
    try:
        # Before anything imports aiopslab: its prints must never reach the protocol fd.
        channel = open_protocol_channel(os.environ)
    except UsageError as exc:
        print(f"aiopslab-runner: {exc}", file=sys.stderr)
        return EXIT_USAGE
    sys.stdout.reconfigure(line_buffering=True)
    events = EventWriter(channel)
    termination = TerminationHandler().install()
    start_lifeline_if_requested(os.environ)
    try:
        if args.list_problems:
            return list_problems_command(events)
        if args.cleanup_problem:
            return cleanup_problem_command(events, os.environ)
        return run_task_command(events, os.environ)
    finally:
        termination.stop_raising()


def _parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="aiopslab-runner",
        description="Run one AIOpsLab problem (task spec in $TASK_SPEC_FILE) and report JSON lines "
        "on $PROTOCOL_FD, or on stdout when PROTOCOL_FD is unset.",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--list-problems", action="store_true", help="write the problem catalog and exit")
    mode.add_argument(
        "--cleanup-problem", action="store_true",
        help="recover the fault of $TASK_SPEC_FILE's problem and delete its app (the end of a task), nothing else",
    )
    return parser.parse_args(argv)
