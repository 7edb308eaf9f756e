"""Waiting for a run: poll, back off while nothing changes, ride out short API outages."""
from __future__ import annotations

import time
from typing import Any, Callable, Dict, Optional

from .errors import ApiConnectionError, ApiError, RunWaitTimeout
from .progress import ProgressReporter

# An api restart or a broker hiccup should not end a wait of hours; a longer outage should.
DEFAULT_OUTAGE_S = 300.0


def wait_for_run(fetch: Callable[[], Dict[str, Any]], run_id: str, timeout: Optional[float] = None,
                 reporter: Optional[ProgressReporter] = None, poll_interval: float = 0.5, max_poll_interval: float = 5.0,
                 outage_s: float = DEFAULT_OUTAGE_S, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> Dict[str, Any]:
    """Calls `fetch` (GET /runs/{id}) until the run is no longer `running` and returns it.

    The interval grows ×1.5 up to `max_poll_interval` while the counts stay the same and drops
    back when they change. Connection errors and 5xx answers are retried for up to `outage_s`
    seconds in a row; 4xx answers (the run does not exist) are raised at once.
    """
    started = clock()
    deadline = None if timeout is None else started + timeout
    interval = poll_interval
    seen: Any = None
    failing_since: Optional[float] = None
    run: Dict[str, Any] = {"run_id": run_id, "status": "running"}
    try:
        while True:
            try:
                run = fetch()
                failing_since = None
            except (ApiConnectionError, ApiError) as error:
                if isinstance(error, ApiError) and error.status < 500:
                    raise
                failing_since = clock() if failing_since is None else failing_since
                if clock() - failing_since >= outage_s:
                    raise
            else:
                if reporter:
                    reporter.update(run)
                if run["status"] != "running":
                    return run
                changed = run.get("counts") != seen
                seen = run.get("counts")
                interval = poll_interval if changed else min(max_poll_interval, interval * 1.5)
            now = clock()
            if deadline is not None and now >= deadline:
                raise RunWaitTimeout(run_id, timeout or 0.0, run)
            sleep(interval if deadline is None else max(0.0, min(interval, deadline - now)))
    finally:
        if reporter:
            reporter.close()
