"""Run commands: run create / status / watch / retry / cancel, and export (list, results and compare: cli_run_reports)."""
from __future__ import annotations

import argparse
import sys
from typing import Any, Dict

from . import formatting
from .cli_run_reports import add_run_report_commands
from .cli_commands import UsageError, add_task_field_options, emit, json_argument, task_fields
from .client import Client
from .progress import ProgressReporter

EXIT_RUN_FAILED = 4
FAILED_ENDS = ("failed", "timed_out", "cancelled")


def parse_agent(spec: str) -> Dict[str, Any]:
    """`LABEL` (the AIOpsLab registry agent of that name) or `LABEL=AGENT_CONFIG_JSON`."""
    label, sep, raw = spec.partition("=")
    if not label:
        raise UsageError(f"--agent {spec!r} has no label; use LABEL or LABEL='{{\"kind\": ...}}'")
    config = json_argument(f"--agent {label}", raw) if sep else {"kind": "registry", "name": label}
    return {"label": label, "agent_config": config}


def creation_body(args: argparse.Namespace) -> Dict[str, Any]:
    body: Dict[str, Any] = dict(json_argument("--file", f"@{args.file}") if args.file else {})
    if args.name:
        body["name"] = args.name
    if args.agent:
        body["agents"] = [parse_agent(spec) for spec in args.agent]
    if args.problem:
        body["problem_ids"] = args.problem
    if args.task_type or args.app:
        body["problem_filter"] = {k: v for k, v in (("task_type", args.task_type), ("app", args.app)) if v}
    if args.repeats is not None:
        body["repeats"] = args.repeats
    body.update(task_fields(args))
    return body


def failed_cells(client: Client, run: Dict[str, Any]) -> int:
    """Grid cells whose latest task failed, timed out or was cancelled (retried cells count by their retry)."""
    rows = client.run_results(run["run_id"]).rows
    return sum(int(row.get(end) or 0) for row in rows if row.get("task_type") == "all" for end in FAILED_ENDS)


def finish_watch(client: Client, args: argparse.Namespace, run: Dict[str, Any]) -> int:
    failures = failed_cells(client, run)
    emit(args, run, formatting.run_summary(run))
    if run["status"] == "cancelled" or failures:
        print(f"run {run['run_id']} {run['status']} with {failures} failed, timed-out or cancelled tasks", file=sys.stderr)
        return EXIT_RUN_FAILED
    return 0


def watch_run(client: Client, args: argparse.Namespace, run_id: str) -> int:
    reporter = ProgressReporter(sys.stderr) if not args.quiet else None
    run = client.wait_run(run_id, timeout=args.timeout, progress=False, reporter=reporter)
    return finish_watch(client, args, run)


def create(client: Client, args: argparse.Namespace) -> int:
    run = client.create_run(idempotency_key=args.idempotency_key, **creation_body(args))
    if args.wait:
        print(f"run {run['run_id']}: {run['task_count']} tasks", file=sys.stderr)
        return watch_run(client, args, run["run_id"])
    emit(args, run, run["run_id"])
    return 0


def status(client: Client, args: argparse.Namespace) -> int:
    run = client.get_run(args.run_id)
    emit(args, run, formatting.run_summary(run))
    return 0


def watch(client: Client, args: argparse.Namespace) -> int:
    return watch_run(client, args, args.run_id)


def retry(client: Client, args: argparse.Namespace) -> int:
    answer = client.retry_run(args.run_id)
    emit(args, answer, f"run {args.run_id}: {answer['retried']} tasks retried")
    return 0


def budget(client: Client, args: argparse.Namespace) -> int:
    answer = client.set_run_budget(args.run_id, args.usd)
    emit(args, answer, f"run {args.run_id}: budget ${formatting.usd(answer['previous_budget_usd'])} -> ${formatting.usd(answer['budget_usd'])}; {answer['tasks_created']} tasks created")
    return 0


def cancel(client: Client, args: argparse.Namespace) -> int:
    answer = client.cancel_run(args.run_id)
    emit(args, answer, f"run {args.run_id}: {answer['cancelled']} cancelled, {answer['cancel_requested']} asked to stop")
    return 0


def export(client: Client, args: argparse.Namespace) -> int:
    out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    try:
        with client.export_run(args.run_id) as stream:
            written = stream.write_jsonl(out)
    finally:
        if args.output:
            out.close()
    if args.output:
        print(f"{written} tasks written to {args.output}", file=sys.stderr)
    return 0


def add_run_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    run = commands.add_parser("run", help="runs (experiments): create, list, status, watch, results, compare, retry, cancel, budget")
    subcommands = run.add_subparsers(dest="run_command", metavar="RUN_COMMAND", required=True)

    def command(name: str, handler: Any, help_text: str, takes_id: bool = True) -> argparse.ArgumentParser:
        parser = subcommands.add_parser(name, parents=[common], help=help_text, description=help_text)
        parser.set_defaults(handler=handler)
        if takes_id:
            parser.add_argument("run_id")
        return parser

    def watch_options(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--timeout", type=float, help="give up after this many seconds (exit 4)")
        parser.add_argument("--quiet", action="store_true", help="no progress on stderr")

    p = command("create", create, "create a run: problems x agents x repeats; prints its id", takes_id=False)
    p.add_argument("--name", help="the run's name")
    p.add_argument("--agent", action="append", metavar="LABEL[=JSON]", help="an agent; repeat for several (LABEL alone: registry agent LABEL)")
    p.add_argument("--problem", action="append", metavar="PROBLEM_ID", help="a problem id; repeat for several")
    p.add_argument("--task-type", choices=("detection", "localization", "analysis", "mitigation"), help="every catalog problem of this type")
    p.add_argument("--app", help="every catalog problem whose id contains this")
    p.add_argument("--repeats", type=int, help="runs of each problem x agent (default 1)")
    p.add_argument("--file", metavar="RUN.json", help="the request body as JSON; the options above override its fields")
    p.add_argument("--idempotency-key", help="the same key returns the same run")
    p.add_argument("--wait", action="store_true", help="then watch it as `run watch` does")
    add_task_field_options(p)
    watch_options(p)

    command("status", status, "show a run's progress: grid cells finished (a retried cell counts once), then its tasks")
    watch_options(command("watch", watch, "wait for a run to finish, with progress on stderr"))
    add_run_report_commands(subcommands, common)
    command("retry", retry, "retry the run's failed, timed-out and cancelled tasks")
    command("cancel", cancel, "cancel every unfinished task of the run")
    command("budget", budget, "raise a budgeted run's budget_usd (a budget_exhausted run goes on)").add_argument("usd", type=float, help="the new budget in USD (at least the current one)")

    p = commands.add_parser("export", parents=[common], help="stream a run's tasks as JSON lines (export RUN_ID > run.jsonl)")
    p.set_defaults(handler=export)
    p.add_argument("run_id")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")


