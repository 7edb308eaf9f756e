"""Progress of a run while wait_run polls: a bar on a terminal, plain lines otherwise."""
from __future__ import annotations

import shutil
import sys
from typing import Any, Dict, Optional, TextIO

from .errors import TERMINAL_STATUSES

BAR_WIDTH = 30


def finished_count(run: Dict[str, Any]) -> int:
    counts = run.get("counts") or {}
    return sum(int(counts.get(status, 0)) for status in TERMINAL_STATUSES)


def summary_text(run: Dict[str, Any]) -> str:
    """`12/40 finished (completed 10, failed 2), 3 processing` from a run's counts."""
    counts = run.get("counts") or {}
    total = int(run.get("task_count") or 0)
    ends = ", ".join(f"{s} {counts[s]}" for s in TERMINAL_STATUSES if counts.get(s))
    waiting = ", ".join(f"{counts[s]} {s}" for s in ("processing", "retrying", "pending") if counts.get(s))
    text = f"{finished_count(run)}/{total} finished"
    if ends:
        text += f" ({ends})"
    if waiting:
        text += f", {waiting}"
    return text


def render_bar(run: Dict[str, Any], width: int = BAR_WIDTH) -> str:
    total = int(run.get("task_count") or 0)
    done = finished_count(run)
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
