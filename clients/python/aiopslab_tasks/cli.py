"""`aiopslab-tasks` (also `python3 -m aiopslab_tasks`): the library's methods as commands.

Exit codes, for scripts:
  0  done (for `run create --wait` / `run watch`: the run finished and no cell's latest task failed)
  1  the API refused the request (4xx: bad input, not found, conflict, unauthorized)
  2  bad usage (unknown command or option, malformed JSON argument)
  3  the API failed or could not be reached (5xx, connection refused, timeouts)
  4  the run finished with failed, timed-out or cancelled tasks, or --timeout passed first
130  interrupted (Ctrl-C)
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, List, Optional

from .client import DEFAULT_URL, TOKEN_ENV, URL_ENV, Client
from .cli_commands import UsageError, add_task_commands
from .cli_runs import add_run_commands
from .errors import ApiConnectionError, ApiError, RunWaitTimeout

EXIT_OK, EXIT_API_REFUSED, EXIT_USAGE, EXIT_SERVER, EXIT_RUN_FAILED, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130


class CliParser(argparse.ArgumentParser):
    """argparse, with the fix for a value it reads as an option (a token that begins with "-")."""

    def error(self, message: str):  # type: ignore[override]
        if message.endswith("expected one argument") and message.startswith("argument --"):
            option = message.split()[1].rstrip(":")
            message += f"; a value that begins with - goes as {option}=VALUE"
        super().error(message)


def common_options() -> argparse.ArgumentParser:
    """--url, --token and --json, accepted before or after the command (SUPPRESS keeps either placement)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", default=argparse.SUPPRESS, help=f"API base URL (env {URL_ENV}; default {DEFAULT_URL})")
    common.add_argument("--token", default=argparse.SUPPRESS, help=f"bearer token (env {TOKEN_ENV}); write --token=VALUE when it begins with -")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable JSON on stdout")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    parser = CliParser(
        prog="aiopslab-tasks",
        description="Submit AIOpsLab tasks and runs, watch them, collect results and export datasets.",
        epilog=__doc__.split("\n\n", 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_task_commands(commands, common)
    add_run_commands(commands, common)
    return parser


def report_error(error: BaseException, as_json: bool) -> None:
    if as_json:
        if isinstance(error, ApiError):
            body = {"status": error.status, "code": error.code, "title": error.title, "detail": error.detail, "errors": error.errors}
        else:
            body = {"code": type(error).__name__, "detail": str(error)}
        print(json.dumps({"error": body}), file=sys.stderr)
    else:
        print(f"aiopslab-tasks: {error}", file=sys.stderr)


def main(argv: Optional[List[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on bad usage
    args.json = getattr(args, "json", False)
    client = Client(base_url=getattr(args, "url", None), token=getattr(args, "token", None))
    try:
        return int(args.handler(client, args) or EXIT_OK)
    except UsageError as error:
        parser.error(str(error))  # exits 2
    except ApiError as error:
        report_error(error, args.json)
        return EXIT_API_REFUSED if error.status < 500 else EXIT_SERVER
    except ApiConnectionError as error:
        report_error(error, args.json)
        return EXIT_SERVER
    except RunWaitTimeout as error:
        report_error(error, args.json)
        return EXIT_RUN_FAILED
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `aiopslab-tasks export ID | head`: the reader left
        sys.stdout = open(os.devnull, "w")  # silences the flush at exit
        return EXIT_OK
    return EXIT_OK


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
