"""Task commands: submit, status, logs, cancel, retry, tasks, problems; and the helpers all commands share."""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict, Optional

from . import formatting
from .client import Client


class UsageError(Exception):
    """A command-line argument the parser could not check (malformed JSON, missing combination)."""


def emit(args: argparse.Namespace, data: Any, text: Optional[str] = None) -> None:
    """JSON with --json, else the text (or, when there is none, the JSON anyway)."""
    if args.json or text is None:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(text)


def emit_line(data: Dict[str, Any]) -> None:
    """One NDJSON line, flushed (for streams a script reads as they come)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def json_argument(name: str, raw: Optional[str]) -> Any:
    if raw is None:
        return None
    if raw.startswith("@"):
        with open(raw[1:], encoding="utf-8") as handle:
            raw = handle.read()
    try:
        return json.loads(raw)
    except ValueError as error:
        raise UsageError(f"{name} is not valid JSON ({error}); pass a JSON object, or @file.json") from None


def task_fields(args: argparse.Namespace) -> Dict[str, Any]:
    """The optional submission fields shared by `submit` and `run create`."""
    fields: Dict[str, Any] = {}
    for name in ("max_steps", "timeout_minutes", "priority", "max_retries", "callback_url"):
        value = getattr(args, name, None)
        if value is not None:
            fields[name] = value
    metadata = json_argument("--metadata", getattr(args, "metadata", None))
    if metadata is not None:
        fields["metadata"] = metadata
    return fields


def add_task_field_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--max-steps", type=int, help="agent steps (default 30)")
    parser.add_argument("--timeout-minutes", type=int, help="per task (default 30)")
    parser.add_argument("--priority", type=int, help="0 (lowest) to 9")
    parser.add_argument("--max-retries", type=int, help="retries after a failure (default 2)")
    parser.add_argument("--callback-url", help="POSTed the final state of each task")
    parser.add_argument("--metadata", metavar="JSON", help="a JSON object kept with each task (or @file.json)")


def submit(client: Client, args: argparse.Namespace) -> int:
    fields = {"problem_id": args.problem_id, **task_fields(args)}
    agent = json_argument("--agent-config", args.agent_config)
    if agent is not None:
        fields["agent_config"] = agent
    if args.idempotency_key:
        fields["idempotency_key"] = args.idempotency_key
    answer = client.submit_task(**fields)
    emit(args, answer, answer["task_id"])
    return 0


def status(client: Client, args: argparse.Namespace) -> int:
    task = client.get_task(args.task_id)
    emit(args, task, formatting.task_summary(task))
    return 0


def logs(client: Client, args: argparse.Namespace) -> int:
    lines = client.follow_logs(args.task_id, after_seq=args.after_seq) if args.follow else client.task_logs(args.task_id, after_seq=args.after_seq)
    for line in lines:
        if args.json:
            emit_line(line)
        else:
            print(formatting.log_line(line), flush=True)
    return 0


def cancel(client: Client, args: argparse.Namespace) -> int:
    answer = client.cancel_task(args.task_id)
    text = "cancelled" if answer.get("status") == "cancelled" else f"{answer.get('status')}; its worker {answer.get('worker_id')} was asked to stop it"
    emit(args, answer, f"task {args.task_id}: {text}")
    return 0


def retry(client: Client, args: argparse.Namespace) -> int:
    answer = client.retry_task(args.task_id)
    emit(args, answer, answer.get("task_id"))
    return 0


def tasks(client: Client, args: argparse.Namespace) -> int:
    filters = {k: getattr(args, k) for k in ("status", "problem_id", "run_id", "worker_id") if getattr(args, k)}
    found = []
    for task in client.list_tasks(**filters):
        found.append(task)
        if args.limit and len(found) >= args.limit:
            break
    emit(args, found, formatting.table(found, ("task_id", "problem_id", "status", "attempt", "agent_label", "created_at")))
    return 0


def problems(client: Client, args: argparse.Namespace) -> int:
    if args.action in ("health", "calibrate"):
        from aiopslab_tasks import cli_problem_health

        return getattr(cli_problem_health, args.action)(client, args)
    catalog = client.problems(task_type=args.task_type)
    emit(args, catalog, formatting.table(catalog, ("id", "task_type")))
    return 0


def add_task_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    def command(name: str, handler: Any, help_text: str) -> argparse.ArgumentParser:
        parser = commands.add_parser(name, parents=[common], help=help_text, description=help_text)
        parser.set_defaults(handler=handler)
        return parser

    p = command("submit", submit, "submit one task; prints its id")
    p.add_argument("problem_id", help="an AIOpsLab problem id (see `problems`)")
    p.add_argument("--agent-config", metavar="JSON", required=True, help='required (there is no default agent): e.g. \'{"kind": "scripted", "actions": ["submit(\\"Yes\\")"]}\' or \'{"kind": "registry", "name": "gpt"}\' (or @file.json)')
    p.add_argument("--idempotency-key", help="the same key returns the same task")
    add_task_field_options(p)

    command("status", status, "show one task").add_argument("task_id")

    p = command("logs", logs, "print a task's log lines")
    p.add_argument("task_id")
    p.add_argument("-f", "--follow", action="store_true", help="keep printing new lines until the task ends")
    p.add_argument("--after-seq", type=int, default=0, help="only lines after this sequence number")

    command("cancel", cancel, "cancel one task").add_argument("task_id")
    command("retry", retry, "retry a failed, timed-out or cancelled task; prints the new task's id").add_argument("task_id")

    p = command("tasks", tasks, "list tasks, newest first")
    for name in ("status", "problem-id", "run-id", "worker-id"):
        p.add_argument(f"--{name}")
    p.add_argument("--limit", type=int, default=50, help="at most this many (0: all; default 50)")

    p = command("problems", problems, "list the problem catalog; `problems health`: flags per problem; `problems calibrate`: run the reference agents")
    p.add_argument("action", nargs="?", choices=("list", "health", "calibrate"), default="list", help="list (default), health or calibrate")
    p.add_argument("--task-type", choices=("detection", "localization", "analysis", "mitigation"))
    p.add_argument("--repeats", type=int, default=3, help="calibrate: repeats per problem (default 3; flakiness needs 2 or more)")
    p.add_argument("--flagged", action="store_true", help="health: only the flagged problems")
