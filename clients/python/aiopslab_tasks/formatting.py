"""Plain-text rendering for the command line (pure: data in, text out)."""
from __future__ import annotations

from typing import Any, Dict, List, Sequence

def cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def table(rows: Sequence[Dict[str, Any]], columns: Sequence[str]) -> str:
    """Left-aligned text columns with a header line; numbers right-aligned."""
    cells = [[cell(row.get(c)) for c in columns] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [all(isinstance(row.get(c), (int, float)) or row.get(c) is None for row in rows) and bool(rows) for c in columns]

    def line(values: List[str]) -> str:
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)]
        return "  ".join(parts).rstrip()

    return "\n".join([line(list(columns))] + [line(r) for r in cells])


def task_summary(task: Dict[str, Any]) -> str:
    lines = [
        f"task      {task.get('task_id')}",
        f"problem   {task.get('problem_id')}",
        f"status    {task.get('status')} (attempt {task.get('attempt')} of {1 + int(task.get('max_retries') or 0)})",
    ]
    if task.get("run_id"):
        lines.append(f"run       {task['run_id']} agent {task.get('agent_label')} repeat {task.get('repeat_index')}")
    if task.get("worker_id"):
        lines.append(f"worker    {task['worker_id']}")
    error = task.get("error")
    if error:
        lines.append(f"error     {error.get('kind', '')}: {error.get('message', '')}")
    results = (task.get("result") or {}).get("results")
    if results:
        shown = ", ".join(f"{k}={v}" for k, v in results.items() if not isinstance(v, (dict, list)))
        lines.append(f"results   {shown}")
    return "\n".join(lines)


def run_summary(run: Dict[str, Any]) -> str:
    from .progress import summary_text

    lines = [
        f"run       {run.get('run_id')} ({run.get('name')})",
        f"status    {run.get('status')}: {summary_text(run)}",
        f"grid      {run.get('problem_count')} problems x {len(run.get('agent_labels') or [])} agents x {run.get('repeats')} repeats",
    ]
    if run.get("estimated_cost_usd") is not None:
        lines.append(f"cost      ~${run['estimated_cost_usd']}")
    if run.get("budget_usd") is not None:
        lines.append(budget_line(run))
    if run.get("infra_retries_due"):
        lines.append(f"infra     {run['infra_retries_due']} infra-error retries due (max {run.get('max_infra_retries')} per cell)")
    if run.get("calibration"):
        lines.append("kind      calibration run (reference agents; see `problems health`)")
    return "\n".join(lines)


def usd(amount: Any) -> str:
    """0.000001 -> "0.000001", 5 -> "5" (no exponent, no trailing zeros)."""
    return f"{float(amount):.6f}".rstrip("0").rstrip(".")


def budget_line(run: Dict[str, Any]) -> str:
    """A budgeted run's budget, the cells it has not created yet, and what to do when it is exhausted."""
    text = f"budget    ${usd(run['budget_usd'])}"
    if run.get("cells_not_created"):
        text += f", {run['cells_not_created']} cells not created yet"
    if run.get("status") == "budget_exhausted":
        text += f"; budget_exhausted: raise it to go on (run budget {run.get('run_id')} USD)"
    return text


def log_line(line: Dict[str, Any]) -> str:
    return f"{line.get('ts', '')} {line.get('stream', '')}: {line.get('message', '')}"
