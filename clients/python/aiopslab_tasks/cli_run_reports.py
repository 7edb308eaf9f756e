"""Run report commands: run list, run results, run compare."""
from __future__ import annotations

import argparse
import sys
from typing import Any, Dict, List

from . import formatting, run_reports
from .cli_commands import UsageError, emit
from .client import Client
from .results_columns import choose_columns, flatten_row, to_csv


def list_runs(client: Client, args: argparse.Namespace) -> int:
    """One keyset page (--limit, --cursor), or every page with --all; the next cursor goes to stderr."""
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    runs: List[Dict[str, Any]] = []
    cursor = args.cursor
    while True:
        page = client.list_runs_page(limit=args.limit, cursor=cursor)
        runs.extend(page["runs"])
        cursor = page.get("next_cursor")
        if not args.all or not cursor:
            break
    emit(args, runs if args.all else {"runs": runs, "next_cursor": cursor}, run_reports.run_list(runs))
    if cursor and not args.all and not args.json:
        print(f"more runs: --cursor={cursor} (or --all)", file=sys.stderr)
    return 0


def results(client: Client, args: argparse.Namespace) -> int:
    """Every column the api returns (pass^k as pass_hat_<k>, intervals as _low/_high), or --columns."""
    if args.csv and not args.columns:
        sys.stdout.write(client.run_results_csv(args.run_id))  # the api's own CSV, every column
        return 0
    table = client.run_results(args.run_id)
    rows = [flatten_row(row) for row in table.rows]
    try:
        columns = choose_columns(rows, args.columns)
    except ValueError as error:
        raise UsageError(f"--columns: {error}") from None
    if args.csv:
        sys.stdout.write(to_csv(rows, columns))
    elif args.json:
        emit(args, table if not args.columns else [{c: row.get(c) for c in columns} for row in rows])
    else:
        print(formatting.table(rows, columns) if rows else "no results yet: rows appear as tasks finish")
    return 0


def compare(client: Client, args: argparse.Namespace) -> int:
    if (args.agent_a is None) != (args.agent_b is None):
        raise UsageError("--agent-a and --agent-b go together")
    if args.run_b is None and args.agent_a is None:
        raise UsageError("give a second run, or --agent-a and --agent-b to compare two agents of one run")
    comparison = client.compare_runs(args.run_a, args.run_b, agent_a=args.agent_a, agent_b=args.agent_b)
    emit(args, comparison, run_reports.comparison_report(comparison))
    if args.json:  # the text report leads with them; a script reading JSON still sees them
        for warning in comparison.get("warnings") or []:
            print(f"warning: {run_reports.warning_text(warning)}", file=sys.stderr)
    return 0


def add_run_report_commands(subcommands: Any, common: argparse.ArgumentParser) -> None:
    def command(name: str, handler: Any, help_text: str) -> argparse.ArgumentParser:
        parser = subcommands.add_parser(name, parents=[common], help=help_text, description=help_text)
        parser.set_defaults(handler=handler)
        return parser

    p = command("list", list_runs, "list runs, newest first (GET /runs, keyset pages)")
    p.add_argument("--limit", type=int, default=20, help="runs per page (default 20)")
    p.add_argument("--cursor", help="the page after this cursor (printed on stderr when there are more)")
    p.add_argument("--all", action="store_true", help="follow every page")

    p = command("results", results, "the run's results table: every column the api returns")
    p.add_argument("run_id")
    p.add_argument("--columns", metavar="A,B,C", help="only these columns, in this order (e.g. agent_label,task_type,success_rate,pass_hat_2)")
    p.add_argument("--csv", action="store_true", help="CSV instead of a table")

    p = command("compare", compare, "compare two runs, or two agents: paired difference (a - b), per-agent rows, McNemar p, warnings")
    p.add_argument("run_a")
    p.add_argument("run_b", nargs="?", help="omit it with --agent-a/--agent-b to compare two agents of run_a")
    p.add_argument("--agent-a", help="the agent of run_a to compare")
    p.add_argument("--agent-b", help="the agent of run_b (or of run_a) to compare it with")
