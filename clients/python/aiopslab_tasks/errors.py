"""The errors the client raises; each says what went wrong and what to do."""
from __future__ import annotations

from typing import Any, Dict, List, Optional


class AiopslabTasksError(Exception):
    """Base of every error this package raises."""


class ApiError(AiopslabTasksError):
    """The API answered with an error (RFC 9457 problem+json, or any non-2xx status)."""

    def __init__(self, status: int, code: str, title: str, detail: str, errors: Optional[List[Dict[str, Any]]] = None,
                 method: str = "", url: str = "", body: Optional[Dict[str, Any]] = None) -> None:
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.errors = list(errors or [])
        self.method = method
        self.url = url
        self.body = body or {}
        super().__init__(self.__str__())

    @property
    def request_id(self) -> Optional[str]:
        return self.body.get("request_id")

    def __str__(self) -> str:
        head = f"{self.status} {self.title} ({self.code})"
        if self.method:
            head += f" on {self.method} {self.url}"
        lines = [f"{head}: {self.detail}"]
        for error in self.errors:
            lines.append(f"  - {error.get('field', '?')}: {error.get('message', '')} [{error.get('rule', '')}]")
        return "\n".join(lines)

    @classmethod
    def from_response(cls, status: int, reason: str, raw: bytes, method: str, url: str) -> "ApiError":
        import json

        try:
            body = json.loads(raw.decode("utf-8")) if raw else {}
        except (ValueError, UnicodeDecodeError):
            body = {}
        if not isinstance(body, dict):
            body = {}
        text = raw.decode("utf-8", "replace").strip()[:500] if raw else ""
        return cls(
            status=status,
            code=str(body.get("code") or f"http_{status}"),
            title=str(body.get("title") or reason or "Error"),
            detail=str(body.get("detail") or text or "the API gave no detail"),
            errors=body.get("errors") if isinstance(body.get("errors"), list) else [],
            method=method,
            url=url,
            body=body,
        )


class ApiConnectionError(AiopslabTasksError, ConnectionError):
    """The API could not be reached (refused, reset, timed out) even after retries."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(
            f"cannot reach the API at {url}: {reason}. Is it running? Set AIOPSLAB_TASKS_URL or pass --url / base_url=."
        )


class RunWaitTimeout(AiopslabTasksError, TimeoutError):
    """wait_run gave up before the run finished; the run goes on (cancel it with cancel_run)."""

    def __init__(self, run_id: str, timeout: float, run: Dict[str, Any]) -> None:
        self.run_id = run_id
        self.timeout = timeout
        self.run = run
        counts = run.get("counts") or {}
        progress = run.get("progress") or {}
        if "cells" in progress and "finished_cells" in progress:
            done_text = f"{progress['finished_cells']}/{progress['cells']} cells finished"
        else:
            done_text = f"{sum(n for s, n in counts.items() if s in TERMINAL_STATUSES)}/{run.get('task_count', '?')} tasks finished"
        super().__init__(
            f"run {run_id} is still {run.get('status', 'running')} after {timeout:g} s "
            f"({done_text}); wait again, or cancel it with cancel_run"
        )


class MissingExtraError(AiopslabTasksError, ImportError):
    """An optional feature needs a package that is not installed."""

    def __init__(self, package: str, feature: str) -> None:
        super().__init__(f"{feature} needs the '{package}' package: pip install {package}", name=package)
        self.package = package


TERMINAL_STATUSES = ("completed", "failed", "timed_out", "cancelled")
