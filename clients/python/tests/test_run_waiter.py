"""wait_for_run with a scripted fetch and a fake clock: backoff, outages, timeouts."""
from __future__ import annotations

import unittest
from typing import Any, Dict, List

from aiopslab_tasks.errors import ApiConnectionError, ApiError, RunWaitTimeout
from aiopslab_tasks.run_waiter import wait_for_run


def run(status: str, completed: int) -> Dict[str, Any]:
    return {"run_id": "r1", "status": status, "task_count": 4, "counts": {"completed": completed}}


def api_error(status: int) -> ApiError:
    return ApiError(status, f"http_{status}", "Error", "scripted")


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: List[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def scripted(*answers: Any):
    queue = list(answers)

    def fetch() -> Dict[str, Any]:
        answer = queue.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    return fetch


class RunWaiterTests(unittest.TestCase):
    def test_the_interval_grows_while_nothing_changes_and_resets_on_progress(self) -> None:
        clock = FakeClock()
        fetch = scripted(run("running", 0), run("running", 0), run("running", 0), run("running", 1), run("finished", 4))
        done = wait_for_run(fetch, "r1", clock=clock, sleep=clock.sleep, poll_interval=1, max_poll_interval=2)
        self.assertEqual(done["status"], "finished")
        self.assertEqual(clock.sleeps, [1, 1.5, 2, 1])

    def test_a_short_outage_is_waited_out_and_a_long_one_raised(self) -> None:
        clock = FakeClock()
        fetch = scripted(api_error(503), ApiConnectionError("http://x", "refused"), run("finished", 4))
        self.assertEqual(wait_for_run(fetch, "r1", clock=clock, sleep=clock.sleep, poll_interval=1, outage_s=10)["status"], "finished")

        clock = FakeClock()
        fetch = scripted(*[ApiConnectionError("http://x", "refused")] * 20)
        with self.assertRaises(ApiConnectionError):
            wait_for_run(fetch, "r1", clock=clock, sleep=clock.sleep, poll_interval=1, outage_s=3)
        self.assertLessEqual(clock.now, 4)

    def test_a_refused_request_is_raised_at_once(self) -> None:
        clock = FakeClock()
        with self.assertRaises(ApiError) as caught:
            wait_for_run(scripted(api_error(404)), "r1", clock=clock, sleep=clock.sleep)
        self.assertEqual((caught.exception.status, clock.sleeps), (404, []))

    def test_the_timeout_raises_with_the_last_run_seen_and_never_oversleeps(self) -> None:
        clock = FakeClock()
        fetch = scripted(*[run("running", 1)] * 10)
        with self.assertRaises(RunWaitTimeout) as caught:
            wait_for_run(fetch, "r1", timeout=2.5, clock=clock, sleep=clock.sleep, poll_interval=1, max_poll_interval=5)
        self.assertEqual(caught.exception.run["counts"], {"completed": 1})
        self.assertEqual(clock.now, 2.5)


if __name__ == "__main__":
    unittest.main()
