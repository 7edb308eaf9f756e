"""The library: one method per thing a researcher does with the task service."""
from __future__ import annotations

import http.client
import json
import os
import time
from typing import Any, Dict, Iterator, List, Optional

from .errors import ApiConnectionError
from .progress import ProgressReporter
from .run_waiter import wait_for_run
from .sse import parse_events
from .tables import ResultsTable, TaskExport
from .transport import Transport

DEFAULT_URL = "http://localhost:8001"
URL_ENV = "AIOPSLAB_TASKS_URL"
TOKEN_ENV = "AIOPSLAB_TASKS_TOKEN"
# A follow stream gets a keep-alive comment every 15 s; no byte for this long means it is dead.
STREAM_IDLE_TIMEOUT_S = 60.0


def _path_id(value: str) -> str:
    from urllib.parse import quote

    return quote(str(value), safe="")


class Client:
    """Client(base_url=None, token=None): reads AIOPSLAB_TASKS_URL and AIOPSLAB_TASKS_TOKEN when not given."""

    def __init__(self, base_url: Optional[str] = None, token: Optional[str] = None, timeout: float = 30.0,
                 retries: int = 4) -> None:
        self.base_url = (base_url or os.environ.get(URL_ENV) or DEFAULT_URL).rstrip("/")
        self.token = token if token is not None else (os.environ.get(TOKEN_ENV) or None)
        self.http = Transport(self.base_url, self.token, timeout=timeout, retries=retries)

    def __repr__(self) -> str:
        return f"Client(base_url={self.base_url!r}, token={'***' if self.token else None})"

    # Tasks

    def submit_task(self, **fields: Any) -> Dict[str, Any]:
        """POST /tasks: problem_id (required), agent_config, max_steps, timeout_minutes, priority, metadata, …"""
        return self.http.json("POST", "/tasks", body=fields)

    def submit_tasks(self, tasks: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        """POST /tasks/batch: up to 1000 submissions in one transaction."""
        return self.http.json("POST", "/tasks/batch", body={"tasks": tasks})["tasks"]

    def get_task(self, task_id: str) -> Dict[str, Any]:
        return self.http.json("GET", f"/tasks/{_path_id(task_id)}")

    def list_tasks(self, page_size: int = 100, **filters: Any) -> Iterator[Dict[str, Any]]:
        """Every task matching the filters (status, problem_id, worker_id, run_id, created_after,
        created_before), newest first, following the keyset cursor page by page."""
        cursor: Optional[str] = None
        while True:
            page = self.http.json("GET", "/tasks", params={**filters, "limit": page_size, "cursor": cursor})
            yield from page["tasks"]
            cursor = page.get("next_cursor")
            if not cursor:
                return

    def task_logs(self, task_id: str, after_seq: int = 0) -> Iterator[Dict[str, Any]]:
        """The stored log lines (no waiting for new ones), page by page."""
        while True:
            page = self.http.json("GET", f"/tasks/{_path_id(task_id)}/logs", params={"after_seq": after_seq, "limit": 1000})
            yield from page["logs"]
            if not page["logs"]:
                return
            after_seq = page["next_after_seq"]

    def follow_logs(self, task_id: str, after_seq: int = 0, max_reconnects: int = 5) -> Iterator[Dict[str, Any]]:
        """Each log line (seq, attempt, ts, stream, level, message) as the worker writes it, until the
        task has finished and every line was delivered. A dropped stream is resumed with
        Last-Event-ID from the last line received, so no line is lost or repeated."""
        last_seq = after_seq
        failures = 0
        while True:
            headers = {"Accept": "text/event-stream"}
            if last_seq:
                headers["Last-Event-ID"] = str(last_seq)
            lines = self.http.lines(f"/tasks/{_path_id(task_id)}/logs", params={"follow": True, "after_seq": last_seq},
                                    headers=headers, timeout=STREAM_IDLE_TIMEOUT_S)
            try:
                for event in parse_events(lines):
                    if event.event == "end":
                        return
                    if event.event == "log":
                        line = json.loads(event.data)
                        last_seq = int(line.get("seq", event.id or last_seq))
                        failures = 0
                        yield line
                problem: Any = "the stream closed before the task ended"  # e.g. the api restarted
            except (ConnectionError, OSError, http.client.HTTPException) as error:
                problem = error
            finally:
                lines.close()  # also when the caller stops early, so the server sees the close
            failures += 1
            if failures > max_reconnects:
                raise ApiConnectionError(self.base_url, f"the log stream of task {task_id} failed {failures} times in a row: {problem}")
            time.sleep(min(5.0, 0.5 * 2 ** (failures - 1)))

    def cancel_task(self, task_id: str) -> Dict[str, Any]:
        """DELETE /tasks/{id}: a waiting task is cancelled at once, a running one is asked to stop."""
        return self.http.json("DELETE", f"/tasks/{_path_id(task_id)}")

    def retry_task(self, task_id: str) -> Dict[str, Any]:
        """POST /tasks/{id}/retry: a new task for a failed, timed-out or cancelled one."""
        return self.http.json("POST", f"/tasks/{_path_id(task_id)}/retry")

    # Runs (experiments)

    def create_run(self, idempotency_key: Optional[str] = None, **fields: Any) -> Dict[str, Any]:
        """POST /runs: name, agents [{label, agent_config}], problem_ids or problem_filter, repeats, …"""
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return self.http.json("POST", "/runs", body=fields, headers=headers)

    def get_run(self, run_id: str) -> Dict[str, Any]:
        return self.http.json("GET", f"/runs/{_path_id(run_id)}")

    def list_runs(self, page_size: int = 100) -> Iterator[Dict[str, Any]]:
        """Every run, newest first, following the keyset cursor page by page."""
        cursor: Optional[str] = None
        while True:
            page = self.list_runs_page(limit=page_size, cursor=cursor)
            yield from page["runs"]
            cursor = page.get("next_cursor")
            if not cursor:
                return

    def list_runs_page(self, limit: int = 20, cursor: Optional[str] = None) -> Dict[str, Any]:
        """One page of GET /runs: {runs, next_cursor}; pass next_cursor back for the next page."""
        return self.http.json("GET", "/runs", params={"limit": limit, "cursor": cursor})

    def compare_runs(self, a: str, b: Optional[str] = None, agent_a: Optional[str] = None, agent_b: Optional[str] = None) -> Dict[str, Any]:
        """GET /runs/compare: run a against run b (a - b), paired by problem and agent; or agent_a of
        run a against agent_b of run b (or of run a when b is None). With by_agent rows, intervals,
        mcnemar_p and the api's warnings when it returns them."""
        return self.http.json("GET", "/runs/compare", params={"a": a, "b": b, "agent_a": agent_a, "agent_b": agent_b})

    def wait_run(self, run_id: str, timeout: Optional[float] = None, progress: bool = True, poll_interval: float = 0.5,
                 max_poll_interval: float = 5.0, reporter: Optional[ProgressReporter] = None) -> Dict[str, Any]:
        """Polls GET /runs/{id} (backing off while nothing changes) until the run is no longer
        running, and returns it. Progress goes to stderr: a bar on a terminal, lines otherwise.
        Raises RunWaitTimeout (a TimeoutError) after `timeout` seconds; the run goes on.
        An API outage shorter than five minutes is waited out."""
        return wait_for_run(lambda: self.get_run(run_id), run_id, timeout=timeout,
                            reporter=reporter or (ProgressReporter() if progress else None),
                            poll_interval=poll_interval, max_poll_interval=max_poll_interval)

    def run_results(self, run_id: str) -> ResultsTable:
        """GET /runs/{id}/results: the table (rows per agent × task type); .to_pandas() for a DataFrame."""
        return ResultsTable(self.http.json("GET", f"/runs/{_path_id(run_id)}/results"))

    def run_results_csv(self, run_id: str) -> str:
        return self.http.text(f"/runs/{_path_id(run_id)}/results", params={"format": "csv"}, accept="text/csv")

    def export_run(self, run_id: str) -> TaskExport:
        """GET /runs/{id}/export: every task of the run with its results and trajectory, streamed."""
        return TaskExport(self.http.lines(f"/runs/{_path_id(run_id)}/export", headers={"Accept": "application/x-ndjson"}))

    def export_tasks(self, **filters: Any) -> TaskExport:
        """GET /tasks/export: finished tasks matching the filters (status, problem_id, run_id, agent_label, …)."""
        return TaskExport(self.http.lines("/tasks/export", params=filters, headers={"Accept": "application/x-ndjson"}))

    def retry_run(self, run_id: str) -> Dict[str, Any]:
        """POST /runs/{id}/retry: a new task for every cell whose latest task failed, timed out or was cancelled."""
        return self.http.json("POST", f"/runs/{_path_id(run_id)}/retry")

    def set_run_budget(self, run_id: str, budget_usd: float) -> Dict[str, Any]:
        """PATCH /runs/{id}: raises a budgeted run's budget_usd; the wave it pays for is created at once."""
        return self.http.json("PATCH", f"/runs/{_path_id(run_id)}", body={"budget_usd": budget_usd})

    def cancel_run(self, run_id: str) -> Dict[str, Any]:
        """DELETE /runs/{id}: cancels every unfinished task of the run."""
        return self.http.json("DELETE", f"/runs/{_path_id(run_id)}")

    def problems(self, task_type: Optional[str] = None) -> List[Dict[str, Any]]:
        """The problem catalog: [{id, task_type}], optionally of one task type."""
        catalog = self.http.json("GET", "/problems")["problems"]
        return [p for p in catalog if task_type is None or p.get("task_type") == task_type]
