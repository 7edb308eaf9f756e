import unittest

from runner_test_case import RunnerTestCase

FAILING_AGENT = {"kind": "registry", "name": "gpt", "params": {}}


class LoopFailureTest(RunnerTestCase):
    def test_agent_exception_is_a_retryable_loop_error_after_the_steps_so_far(self):
        result = self.run_runner(self.lab.spec(agent_config=FAILING_AGENT), STANDIN_AGENT_RAISE_AT_STEP="2")

        self.assertEqual(result.returncode, 1)
        steps = result.of_type("step")
        self.assertEqual([s["n"] for s in steps], [1])
        self.assertTrue(steps[0]["observation"].startswith("NAME"))
        error = self.assert_single_error(result, "loop", "RuntimeError", True)
        self.assertIn("LLM backend unavailable", error["message"])
        self.assertEqual(self.lab.marker("fault-recovered"), ["k8s_target_port-misconfig-detection-1"])
        self.assertNotIn("result", result.types())

    def test_invalid_submission_is_a_non_retryable_loop_error(self):
        agent = {"kind": "scripted", "actions": ["submit(42)"]}
        result = self.run_runner(self.lab.spec(agent_config=agent))

        self.assertEqual(result.returncode, 1)
        step = result.only("step")
        self.assertEqual((step["n"], step["observation"]), (1, "INVALID_SUBMISSION"))
        error = self.assert_single_error(result, "loop", "ValueError", False)
        self.assertEqual(error["message"], "Invalid submission!")

    def test_exhausted_script_is_a_non_retryable_loop_error(self):
        agent = {"kind": "scripted", "actions": ['exec_shell("kubectl get pods")']}
        result = self.run_runner(self.lab.spec(agent_config=agent))

        self.assertEqual([s["n"] for s in result.of_type("step")], [1])
        self.assert_single_error(result, "loop", "ScriptExhausted", False)

    def test_eval_failure_is_a_retryable_eval_error_and_the_atexit_hook_recovers_the_fault(self):
        result = self.run_runner(STANDIN_EVAL_FAIL="1")

        self.assertEqual(result.returncode, 1)
        self.assertEqual(len(result.of_type("step")), 2, "the steps are sent before the evaluation")
        self.assert_single_error(result, "eval", "RuntimeError", True)
        self.assertNotIn("result", result.types())
        self.assertEqual(self.lab.marker("atexit-hook-ran"), ["k8s_target_port-misconfig-detection-1"])


if __name__ == "__main__":
    unittest.main()
