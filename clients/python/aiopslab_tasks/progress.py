"""Progress of a run while wait_run polls: a bar on a terminal, plain lines otherwise."""
from __future__ import annotations

import shutil
import sys
from typing import Any, Dict, Optional, TextIO, Tuple

from .errors import TERMINAL_STATUSES

BAR_WIDTH = 30


def finished_count(run: Dict[str, Any]) -> int:
    counts = run.get("counts") or {}
    return sum(int(counts.get(status, 0)) for status in TERMINAL_STATUSES)


def cell_progress(run: Dict[str, Any]) -> Tuple[int, int]:
    """(finished, all) grid cells from GET /runs/{id}'s `progress`: a cell is finished when its
    latest task has ended, so a retried cell counts once and is unfinished again while its retry
    waits. A run without `progress` (the GET /runs list) falls back to its task counts."""
    progress = run.get("progress") or {}
    if "cells" in progress and "finished_cells" in progress:
        return int(progress["finished_cells"]), int(progress["cells"])
    return finished_count(run), int(run.get("task_count") or 0)


def summary_text(run: Dict[str, Any]) -> str:
    """`4/6 cells finished; 8 tasks (completed 5, cancelled 3), 2 pending` from a run's progress and counts."""
    counts = run.get("counts") or {}
    done, cells = cell_progress(run)
    ends = ", ".join(f"{s} {counts[s]}" for s in TERMINAL_STATUSES if counts.get(s))
    waiting = ", ".join(f"{counts[s]} {s}" for s in ("processing", "retrying", "pending") if counts.get(s))
    text = f"{done}/{cells} cells finished" if run.get("progress") else f"{done}/{cells} finished"
    tasks = int(run.get("task_count") or 0)
    text += f"; {tasks} tasks" if run.get("progress") else ""
    if ends:
        text += f" ({ends})"
    if waiting:
        text += f", {waiting}"
    return text


def render_bar(run: Dict[str, Any], width: int = BAR_WIDTH) -> str:
    done, total = cell_progress(run)
    filled = width if total == 0 else int(width * done / total)
    name = run.get("name") or run.get("run_id", "")
    return f"{name} [{'#' * filled}{'.' * (width - filled)}] {summary_text(run)} · {run.get('status', '?')}"


class ProgressReporter:
    """Writes each change once: redraws one line on a TTY, appends a line when piped."""

    def __init__(self, stream: Optional[TextIO] = None, tty: Optional[bool] = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.last = ""

    def update(self, run: Dict[str, Any]) -> None:
        if self.tty:
            # One line narrower than the terminal: a wrapped line cannot be redrawn with \r.
            text = render_bar(run)[: max(20, shutil.get_terminal_size().columns - 1)]
            if text != self.last:
                padding = " " * max(0, len(self.last) - len(text))
                self.stream.write(f"\r{text}{padding}")
                self.stream.flush()
        else:
            text = f"run {run.get('run_id', '')}: {run.get('status', '?')}, {summary_text(run)}"
            if text != self.last:
                self.stream.write(text + "\n")
                self.stream.flush()
        self.last = text

    def close(self) -> None:
        if self.tty and self.last:
            self.stream.write("\n")
            self.stream.flush()
