import unittest

from runner_test_case import RunnerTestCase

SIGTERM_EXIT_CODE = 143
PROBLEM_ID = "k8s_target_port-misconfig-detection-1"


class TerminationTest(RunnerTestCase):
    def test_sigterm_mid_loop_reports_terminated_and_the_atexit_hook_recovers_the_fault(self):
        runner = self.start(STANDIN_ACTION_SLEEP_S="30")
        runner.wait_for_event("setup_done")
        runner.wait_for_output("exec_shell kubectl get pods")
        runner.terminate()
        result = runner.finish()

        self.assertEqual(self.lab.marker("action-finished"), [], "the 30 s action was interrupted")
        self.assertEqual(result.returncode, SIGTERM_EXIT_CODE)
        error = self.assert_single_error(result, "loop", "Terminated", True)
        self.assertIn("SIGTERM", error["message"])
        step = result.only("step")
        self.assertEqual((step["n"], step["observation"]), (1, None), "the environment never answered step 1")
        self.assertEqual(self.lab.marker("atexit-hook-ran"), [PROBLEM_ID])
        self.assertEqual(self.lab.marker("fault-recovered"), [PROBLEM_ID])
        self.assertNotIn("result", result.types())

    def test_a_second_sigterm_does_not_cut_the_atexit_recovery_short(self):
        runner = self.start(STANDIN_ACTION_SLEEP_S="30", STANDIN_RECOVERY_SLEEP_S="1")
        runner.wait_for_output("exec_shell kubectl get pods")
        runner.terminate()
        runner.wait_for_output("recovering the injected fault")
        runner.terminate()
        result = runner.finish()

        self.assertEqual(result.returncode, SIGTERM_EXIT_CODE)
        self.assert_single_error(result, "loop", "Terminated", True)
        self.assertEqual(self.lab.marker("fault-recovered"), [PROBLEM_ID])

    def test_sigterm_during_setup_reports_a_setup_termination(self):
        runner = self.start(STANDIN_SETUP_SLEEP_S="30")
        runner.wait_for_output("helm install test-social-network")
        runner.terminate()
        result = runner.finish()

        self.assertEqual(result.returncode, SIGTERM_EXIT_CODE)
        self.assert_single_error(result, "setup", "Terminated", True)
        self.assertEqual(self.lab.marker("fault-injected"), [], "terminated before the fault was injected")

    def test_sigterm_during_teardown_keeps_the_result_and_reports_a_teardown_termination(self):
        runner = self.start(STANDIN_TEARDOWN_SLEEP_S="30")
        runner.wait_for_output("helm uninstall prometheus")
        runner.terminate()
        result = runner.finish()

        self.assertEqual(result.returncode, SIGTERM_EXIT_CODE)
        self.assertEqual([t for t in result.types() if t in ("result", "error")], ["result", "error"])
        self.assertEqual(result.only("result")["results"]["Detection Accuracy"], "Correct")
        self.assert_single_error(result, "teardown", "Terminated", True)


if __name__ == "__main__":
    unittest.main()
