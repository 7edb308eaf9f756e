import json
import time
import unittest

from runner_test_case import RunnerTestCase

SIGTERM_EXIT_CODE = 143
PROBLEM_ID = "k8s_target_port-misconfig-detection-1"


def lease(valid_for_ms: int) -> str:
    return json.dumps({"type": "lease", "valid_for_ms": valid_for_ms}) + "\n"


class LifelineTest(RunnerTestCase):
    def test_when_the_worker_dies_stdin_closes_and_the_run_stops_with_its_fault_recovered(self):
        runner = self.start(stdin_pipe=True, RUNNER_LIFELINE="stdin", STANDIN_ACTION_SLEEP_S="30")
        runner.send_stdin(lease(60_000))
        runner.wait_for_output("exec_shell kubectl get pods")
        started = time.monotonic()
        runner.close_stdin()
        result = runner.finish()

        self.assertLess(time.monotonic() - started, 10)
        self.assertEqual(result.returncode, SIGTERM_EXIT_CODE)
        self.assert_single_error(result, "loop", "Terminated", True)
        self.assertIn("the worker is gone", result.stderr)
        self.assertEqual(self.lab.marker("fault-recovered"), [PROBLEM_ID])

    def test_a_lease_that_is_not_renewed_stops_the_run_before_it_runs_out(self):
        runner = self.start(stdin_pipe=True, RUNNER_LIFELINE="stdin", STANDIN_ACTION_SLEEP_S="30")
        runner.wait_for_output("exec_shell kubectl get pods")
        runner.send_stdin("not json\n" + lease(1000))
        sent = time.monotonic()
        runner.process.wait(timeout=10)  # stdin stays open: only the lapsed lease can stop it
        elapsed = time.monotonic() - sent
        result = runner.finish()

        self.assertLess(elapsed, 1.0 + 1.5, "stopped within the lease (plus recovery time)")
        self.assertGreater(elapsed, 0.5, "not before three quarters of the lease")
        self.assertIn("lease lapsed", result.stderr)
        self.assert_single_error(result, "loop", "Terminated", True)

    def test_renewed_leases_keep_the_run_going_to_its_result(self):
        runner = self.start(stdin_pipe=True, RUNNER_LIFELINE="stdin", STANDIN_ACTION_SLEEP_S="1.5")
        # Each lease alone would lapse in 0.6 s; the run takes over 3 s, so only renewals keep it
        # going. Renew until it ends (bounded), as a worker does, whatever the machine's load.
        deadline = time.monotonic() + 60
        while runner.process.poll() is None and time.monotonic() < deadline:
            try:
                runner.send_stdin(lease(800))
            except BrokenPipeError:  # it ended between the poll and the write
                break
            time.sleep(0.25)
        runner.close_stdin()
        result = runner.finish()
        self.assertIn("result", result.types())

    def test_without_runner_lifeline_stdin_is_ignored(self):
        runner = self.start(stdin_pipe=True)
        runner.close_stdin()
        result = runner.finish()
        self.assertEqual(result.returncode, 0)
        self.assertIn("result", result.types())


if __name__ == "__main__":
    unittest.main()
