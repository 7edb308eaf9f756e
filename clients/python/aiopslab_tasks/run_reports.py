"""Plain-text reports of GET /runs and GET /runs/compare (pure: data in, text out).

Compare reports print whatever the api returns: the pooled difference and its interval, any
per-agent paired rows (a list of objects, whatever its name: `agents`, `per_agent`, …) with their
intervals and `mcnemar_p`, and the `warnings`, first, so a comparison against an unfinished run or
a mismatched grid is never read without them.
"""
from __future__ import annotations

from typing import Any, Dict, List, Sequence

from .formatting import table
from .results_columns import flatten_row, interval_bounds, shown_columns

RUN_LIST_COLUMNS = ("run_id", "name", "status", "grid", "task_count", "created_at", "finished_at")
SOLVED_ONLY = ("solved_only_by_a", "solved_only_by_b")


def run_list_rows(runs: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """GET /runs entries with their grid as problems x agents x repeats."""
    return [{**run, "grid": f"{run.get('problem_count')}x{len(run.get('agent_labels') or [])}x{run.get('repeats')}"} for run in runs]


def run_list(runs: Sequence[Dict[str, Any]]) -> str:
    return table(run_list_rows(runs), RUN_LIST_COLUMNS) if runs else "no runs"


def points(value: Any) -> str:
    """A difference of rates in percentage points: -0.5 -> "-50.0 pp"."""
    return "-" if value is None else f"{value * 100:+.1f} pp"


def percent(value: Any) -> str:
    return "-" if value is None else f"{value * 100:.1f} %"


def warning_text(warning: Any) -> str:
    if isinstance(warning, dict):
        return str(warning.get("message") or warning.get("detail") or warning.get("code") or warning)
    return str(warning)


def interval_text(value: Any) -> str:
    bounds = interval_bounds(value)
    if bounds is None or None in bounds:
        return ""
    return f"; 95 % interval {points(bounds[0])} to {points(bounds[1])}"


def paired_tables(comparison: Dict[str, Any]) -> List[str]:
    """Each list of paired rows the api returns (per agent, per problem...) as a titled table."""
    blocks = []
    for key, value in comparison.items():
        if key in SOLVED_ONLY or not isinstance(value, list) or not value or not all(isinstance(v, dict) for v in value):
            continue
        rows = [flatten_row(row) for row in value]
        blocks.append(f"{key}:\n{table(rows, shown_columns(rows))}")
    return blocks


def headline(comparison: Dict[str, Any]) -> List[str]:
    a, b = comparison.get("a") or {}, comparison.get("b") or {}
    unpaired = comparison.get("unpaired") or {}
    labels = ", ".join(comparison.get("agent_labels") or [])
    pairing = "by problem" if comparison.get("pairing") == "problem" else f"by problem and agent ({labels})"
    lines = [
        f"a         {a.get('run_id')} ({a.get('name')}) {a.get('status')}: {percent(comparison.get('success_rate_a'))}",
        f"b         {b.get('run_id')} ({b.get('name')}) {b.get('status')}: {percent(comparison.get('success_rate_b'))}",
        f"pairs     {comparison.get('pairs')} {pairing}; unpaired {unpaired.get('a', 0)} in a, {unpaired.get('b', 0)} in b",
    ]
    stderr = comparison.get("difference_stderr")
    spread = "" if stderr is None else f" ± {stderr * 100:.1f}"
    lines.append(f"a - b     {points(comparison.get('difference'))}{spread}{interval_text(comparison.get('difference_ci95'))}")
    if "mcnemar_p" in comparison:
        lines.append(f"mcnemar_p {comparison['mcnemar_p'] if comparison['mcnemar_p'] is not None else '-'}")
    return lines


def solved_only(problems: Sequence[Dict[str, Any]]) -> str:
    named = [p.get("problem_id", "?") + (f" ({p['agent_label']})" if p.get("agent_label") else "") for p in problems]
    return ", ".join(named) or "none"


def comparison_report(comparison: Dict[str, Any]) -> str:
    warnings = [f"warning   {warning_text(w)}" for w in comparison.get("warnings") or []]
    solved = [f"{key.replace('_', ' ')}: {solved_only(comparison.get(key) or [])}" for key in SOLVED_ONLY]
    return "\n\n".join(filter(None, ["\n".join(warnings + headline(comparison)), *paired_tables(comparison), "\n".join(solved)]))
