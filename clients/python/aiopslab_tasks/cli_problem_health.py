"""`problems health` (GET /problems/health) and `problems calibrate` (runs of the reference agents)."""
from __future__ import annotations

import argparse
from typing import Any, Dict, List, Optional

from aiopslab_tasks import formatting
from aiopslab_tasks.client import Client

TASK_TYPES = ("detection", "localization", "analysis", "mitigation")
DO_NOTHING = {"label": "do_nothing", "agent_config": {"kind": "reference", "name": "do_nothing"}}
CONSTANT_YES = {"label": "constant_yes", "agent_config": {"kind": "reference", "name": "constant_yes"}}
HEALTH_COLUMNS = ("problem_id", "task_type", "flags", "finished", "do_nothing", "setup_failure_rate", "setup_p50_s", "setup_p95_s", "flaky_agents")


def health_rows(problems: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """One flat row per problem for the table (pure)."""
    return [
        {
            "problem_id": p["problem_id"],
            "task_type": p.get("task_type"),
            "flags": ",".join(p["flags"]) or "-",
            "finished": p["finished"],
            "do_nothing": f"{p['do_nothing']['solved']}/{p['do_nothing']['scored']}",
            "setup_failure_rate": p.get("setup_failure_rate"),
            "setup_p50_s": p["setup_s"]["p50"],
            "setup_p95_s": p["setup_s"]["p95"],
            "flaky_agents": p["flaky_agents"],
        }
        for p in problems
    ]


def health_text(report: Dict[str, Any], flagged_only: bool) -> str:
    problems = [p for p in report["problems"] if p["flags"] or not flagged_only]
    lines = [formatting.table(health_rows(problems), HEALTH_COLUMNS)] if problems else ["no problem has finished tasks yet"]
    lines.append(f"{report['flagged']} flagged problem(s): " + ", ".join(f"{k} {v}" for k, v in report["flag_counts"].items()))
    for p in problems:
        lines.extend(f"note: {p['problem_id']}: {note}" for note in p.get("notes", []))
    return "\n".join(lines)


def health(client: Client, args: argparse.Namespace) -> int:
    report = client.http.json("GET", "/problems/health")
    if args.task_type:
        report = {**report, "problems": [p for p in report["problems"] if p.get("task_type") == args.task_type]}
    if args.json:
        from aiopslab_tasks.cli_commands import emit

        emit(args, report)
    else:
        print(health_text(report, args.flagged))
    return 0


def calibration_runs(task_type: Optional[str], repeats: int) -> List[Dict[str, Any]]:
    """The runs `problems calibrate` creates (pure): do_nothing on the selection; constant_yes on detection problems."""
    runs = []
    for kind in ([task_type] if task_type else list(TASK_TYPES)):
        agents = [DO_NOTHING, CONSTANT_YES] if kind == "detection" else [DO_NOTHING]
        runs.append({"name": f"calibration {kind}", "problem_filter": {"task_type": kind}, "agents": agents, "repeats": repeats, "metadata": {"calibration": True}})
    return runs


def calibrate(client: Client, args: argparse.Namespace) -> int:
    created = [client.create_run(**body) for body in calibration_runs(args.task_type, args.repeats)]
    if args.json:
        from aiopslab_tasks.cli_commands import emit

        emit(args, created)
    else:
        for run in created:
            print(f"{run['run_id']}  {run['name']}  {run['task_count']} tasks")
        print("when they finish: problems health")
    return 0
