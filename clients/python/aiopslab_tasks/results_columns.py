"""The results table's columns for the command line (pure): every field the api returns, flat.

GET /runs/{id}/results rows hold plain values, `pass_hat_k` (a dict keyed by k) and, where the
api has them, intervals (`*_ci`: [low, high] or {"low", "high", ...}). Flattening names them the
way the api's own CSV does: pass^k as `pass_hat_<k>`, an interval as `<name>_low` / `<name>_high`.
"""
from __future__ import annotations

import csv
import io
from typing import Any, Dict, List, Optional, Sequence

PASS_HAT_K = "pass_hat_k"
LEADING = ("agent_label", "task_type")


def interval_bounds(value: Any) -> Optional[tuple]:
    """(low, high) of an interval the api may send as a list or as an object; None when it is not one."""
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return value[0], value[1]
    if isinstance(value, dict):
        low = value.get("low", value.get("lower"))
        high = value.get("high", value.get("upper"))
        if "low" in value or "lower" in value or "high" in value or "upper" in value:
            return low, high
    return None


def flatten_row(row: Dict[str, Any]) -> Dict[str, Any]:
    """One results row as flat columns, in the api's order (pass^k spread where it stood)."""
    flat: Dict[str, Any] = {}
    for key, value in row.items():
        if key == PASS_HAT_K and isinstance(value, dict):
            for k in sorted(value, key=lambda k: int(k) if str(k).isdigit() else 0):
                flat[f"pass_hat_{k}"] = value[k]
            continue
        bounds = interval_bounds(value) if key.endswith("_ci") or key.endswith("_ci95") else None
        if bounds is not None:
            flat[f"{key}_low"], flat[f"{key}_high"] = bounds
        elif isinstance(value, (dict, list)):
            continue  # nested detail without a flat form; --json shows it
        else:
            flat[key] = value
    return flat


def all_columns(rows: Sequence[Dict[str, Any]]) -> List[str]:
    """Every column some row has, first-seen order, agent and task type first."""
    seen: List[str] = [c for c in LEADING if any(c in row for row in rows)]
    for row in rows:
        seen.extend(k for k in row if k not in seen)
    return seen


def shown_columns(rows: Sequence[Dict[str, Any]]) -> List[str]:
    """The columns some row has a value in (a detection-only run has no TTL: it is left out)."""
    return [c for c in all_columns(rows) if any(row.get(c) is not None for row in rows)]


def choose_columns(rows: Sequence[Dict[str, Any]], wanted: Optional[str]) -> List[str]:
    """`--columns a,b,c`: those, in that order; an unknown name raises ValueError listing the known ones."""
    if not wanted:
        return shown_columns(rows)
    names = [name.strip() for name in wanted.split(",") if name.strip()]
    aliases = {f"pass^{c[len('pass_hat_'):]}": c for c in all_columns(rows) if c.startswith("pass_hat_")}
    names = [aliases.get(name, name) for name in names]
    known = all_columns(rows)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"unknown column(s) {', '.join(unknown)}; the api returned: {', '.join(known)}")
    return names


def to_csv(rows: Sequence[Dict[str, Any]], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return out.getvalue()
