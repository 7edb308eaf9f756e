import json
import os
import threading
import time
import unittest
from collections import Counter

import runner_paths  # noqa: F401  (puts the runner package on sys.path)
from aiopslab_runner.lifeline import Lifeline
from runner_test_case import RunnerTestCase

SIGTERM_EXIT_CODE = 143
PROBLEM_ID = "k8s_target_port-misconfig-detection-1"
LAPSED = "the worker's lease lapsed without renewal"
GONE = "the worker is gone (stdin closed)"
# How long a test waits for a thread to do what it must; a bound on waiting, never on speed.
WAIT_S = 20


def lease(valid_for_ms: int) -> str:
    return json.dumps({"type": "lease", "valid_for_ms": valid_for_ms}) + "\n"


class LifelineTest(RunnerTestCase):
    def test_when_the_worker_dies_stdin_closes_and_the_run_stops_with_its_fault_recovered(self):
        runner = self.start(stdin_pipe=True, RUNNER_LIFELINE="stdin", STANDIN_ACTION_SLEEP_S="30")
        runner.send_stdin(lease(60_000))
        runner.wait_for_output("exec_shell kubectl get pods")
        runner.close_stdin()
        result = runner.finish()

        self.assertEqual(result.returncode, SIGTERM_EXIT_CODE)
        self.assert_single_error(result, "loop", "Terminated", True)
        self.assertIn(GONE, result.stderr)
        self.assertEqual(self.lab.marker("action-finished"), [], "the 30 s action was cut short")
        self.assertEqual(self.lab.marker("fault-recovered"), [PROBLEM_ID])

    def test_a_lease_that_is_not_renewed_stops_the_run_and_its_fault_is_recovered(self):
        # When it fires (three quarters of the lease, not before) is LeaseClockTest's, on a fake clock.
        runner = self.start(stdin_pipe=True, RUNNER_LIFELINE="stdin", STANDIN_ACTION_SLEEP_S="30")
        runner.wait_for_output("exec_shell kubectl get pods")
        runner.send_stdin("not json\n" + lease(1000))
        runner.process.wait(timeout=WAIT_S)  # stdin stays open: only the lapsed lease can stop it
        self.assertFalse(runner.process.stdin.closed, "stdin was still open when the run stopped")
        result = runner.finish()

        self.assertEqual(result.returncode, SIGTERM_EXIT_CODE)
        self.assertIn(LAPSED, result.stderr)
        self.assertNotIn(GONE, result.stderr)
        self.assert_single_error(result, "loop", "Terminated", True)
        self.assertEqual(self.lab.marker("action-finished"), [], "the 30 s action was cut short")
        self.assertEqual(self.lab.marker("fault-recovered"), [PROBLEM_ID])

    def test_renewed_leases_keep_the_run_going_to_its_result(self):
        runner = self.start(stdin_pipe=True, RUNNER_LIFELINE="stdin", STANDIN_ACTION_SLEEP_S="3")
        # Each lease alone lapses after 1.5 s; the action sleeps 3 s, so only renewals keep it
        # going. Renew until it ends (bounded), as a worker does, whatever the machine's load.
        deadline = time.monotonic() + 60
        while runner.process.poll() is None and time.monotonic() < deadline:
            try:
                runner.send_stdin(lease(2000))
            except BrokenPipeError:  # it ended between the poll and the write
                break
            time.sleep(0.25)
        runner.close_stdin()
        result = runner.finish()
        self.assertEqual(result.returncode, 0)
        self.assertNotIn(LAPSED, result.stderr)
        self.assertEqual(self.lab.marker("action-finished"), ["kubectl get pods -n test-social-network"])
        self.assertIn("result", result.types())

    def test_without_runner_lifeline_stdin_is_ignored(self):
        runner = self.start(stdin_pipe=True)
        runner.close_stdin()
        result = runner.finish()
        self.assertEqual(result.returncode, 0)
        self.assertIn("result", result.types())


class FakeClock:
    """A clock the test moves; counts each thread's reads so a test knows what a thread has seen."""

    def __init__(self, now: float) -> None:
        self._now = now
        self._changed = threading.Condition()
        self._reads: Counter = Counter()

    def __call__(self) -> float:
        with self._changed:
            self._reads[threading.current_thread().name] += 1
            self._changed.notify_all()
            return self._now

    def set(self, now: float) -> int:
        """Moves the clock; returns how often the watchdog had read it before (it reads it after)."""
        with self._changed:
            self._now = now
            return self._reads["lifeline-watchdog"]

    def wait_for_reads(self, thread: str, count: int) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: self._reads[thread] >= count, timeout=WAIT_S):
                raise AssertionError(f"{thread} read the clock {self._reads[thread]} times, expected {count}")


class LeaseClockTest(unittest.TestCase):
    """The lifeline's deadline on a fake clock: which reading of the clock fires it, in order."""

    def setUp(self) -> None:
        read_fd, self.write_fd = os.pipe()
        self.clock = FakeClock(100.0)
        self.stops: list = []
        self.stopped = threading.Event()

        def stop(reason: str) -> None:
            self.stops.append(reason)
            self.stopped.set()

        stream = os.fdopen(read_fd, "rb")
        before = set(threading.enumerate())
        Lifeline(stream, stop=stop, clock=self.clock).start()
        threads = set(threading.enumerate()) - before
        # Cleanups run last-added first: end of file ends both threads (firing at most once), then close.
        self.addCleanup(stream.close)
        self.addCleanup(lambda: [thread.join(WAIT_S) for thread in threads])
        self.addCleanup(self._close_stdin)

    def _close_stdin(self) -> None:
        if self.write_fd is not None:
            os.close(self.write_fd)
            self.write_fd = None

    def send(self, text: str) -> None:
        os.write(self.write_fd, text.encode())

    def assert_still_running_at(self, now: float) -> None:
        # The watchdog reads the clock again only after a check that found the lease valid.
        seen = self.clock.set(now)
        self.clock.wait_for_reads("lifeline-watchdog", seen + 2)
        self.assertEqual(self.stops, [], f"stopped at {now}")

    def assert_stops_at(self, now: float, reason: str) -> None:
        self.clock.set(now)
        self.assertTrue(self.stopped.wait(WAIT_S), f"not stopped at {now}")
        self.assertEqual(self.stops, [reason])

    def test_a_lease_fires_once_three_quarters_of_it_passed_and_not_before(self):
        self.send("not json\n" + json.dumps({"type": "log"}) + "\n" + lease(1000))
        self.clock.wait_for_reads("lifeline-reader", 1)  # only the lease line reads the clock
        self.assert_still_running_at(100.74)
        self.assert_stops_at(100.76, LAPSED)

    def test_a_renewal_moves_the_deadline_from_the_renewal_on(self):
        self.send(lease(1000))
        self.clock.wait_for_reads("lifeline-reader", 1)
        self.assert_still_running_at(100.5)
        self.send(lease(1000))
        self.clock.wait_for_reads("lifeline-reader", 2)
        self.assert_still_running_at(101.2)  # past the first lease's deadline (100.75)
        self.assert_stops_at(101.3, LAPSED)

    def test_stdin_closing_stops_it_at_once_without_any_lease(self):
        self._close_stdin()
        self.assertTrue(self.stopped.wait(WAIT_S))
        self.assertEqual(self.stops, [GONE])


if __name__ == "__main__":
    unittest.main()
