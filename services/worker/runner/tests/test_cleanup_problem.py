"""`--cleanup-problem` against the stand-in: the ended task's fault recovered and app deleted, each
step attempted whatever the previous one did, the outcome on the last stderr line."""

import unittest

from runner_process import RunnerProcess
from runner_test_case import RunnerTestCase

PROBLEM = "misconfig_app_hotel_res-mitigation-1"
CLEANUP = ["--cleanup-problem"]


class CleanupProblemTest(RunnerTestCase):
    def cleanup(self, problem_id: str = PROBLEM, **env: str):
        return self.run_runner(self.lab.spec(problem_id=problem_id), args=CLEANUP, **env)

    def last_stderr_line(self, result) -> str:
        return result.stderr.rstrip("\n").splitlines()[-1]

    def test_it_recovers_the_fault_then_deletes_the_app_and_nothing_else(self):
        result = self.cleanup()

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.lab.marker("fault-recovered"), [PROBLEM])
        self.assertEqual(self.lab.marker("app-cleaned-up"), ["test-hotel-reservation"])
        for never in ("fault-injected", "app-deployed", "orchestrator-constructed"):
            self.assertEqual(self.lab.marker(never), [], f"{never}: cleanup deploys and injects nothing")
        self.assertIn("succeeded", self.last_stderr_line(result))

    def test_it_writes_only_log_events_on_the_protocol_fd(self):
        result = self.cleanup(STANDIN_RECOVER_FAIL="1")

        self.assertTrue(result.events)
        self.assertEqual(set(result.types()), {"log"})

    def test_a_failed_recovery_still_deletes_the_app_and_the_last_line_says_what_failed(self):
        result = self.cleanup(STANDIN_RECOVER_FAIL="1")

        self.assertNotEqual(result.returncode, 0)
        self.assertEqual(self.lab.marker("app-cleaned-up"), ["test-hotel-reservation"])
        last = self.last_stderr_line(result)
        self.assertIn("recover_fault failed: RuntimeError", last)
        self.assertIn('deployment.apps "geo" not found', last)
        self.assertNotIn("app.cleanup failed", last)

    def test_a_failed_app_cleanup_fails_the_run_naming_that_step_on_one_line(self):
        result = self.cleanup(STANDIN_APP_CLEANUP_FAIL="1")

        self.assertNotEqual(result.returncode, 0)
        self.assertEqual(self.lab.marker("fault-recovered"), [PROBLEM])
        last = self.last_stderr_line(result)
        self.assertIn("app.cleanup failed: RuntimeError: Error deleting namespace 'test-hotel-reservation': (500)", last)
        self.assertNotIn("recover_fault failed", last)

    def test_without_a_protocol_fd_aiopslabs_output_still_comes_before_the_last_line(self):
        result = self.run_runner(self.lab.spec(problem_id=PROBLEM), args=CLEANUP, protocol_fd=False, STANDIN_APP_CLEANUP_FAIL="1")

        self.assertNotEqual(result.returncode, 0)
        self.assertIn("[standin] kubectl delete namespace test-hotel-reservation: stdout noise", result.stderr)
        self.assertIn("app.cleanup failed", self.last_stderr_line(result))

    def test_an_unknown_problem_id_fails_with_a_clear_message(self):
        result = self.cleanup("no_such_problem-detection-9")

        self.assertNotEqual(result.returncode, 0)
        last = self.last_stderr_line(result)
        self.assertIn("UnknownProblemId", last)
        self.assertIn("'no_such_problem-detection-9' is not in AIOpsLab's registry", last)
        self.assertEqual(self.lab.marker("fault-recovered"), [])

    def test_a_spec_whose_agent_config_was_bad_can_still_be_cleaned_up(self):
        spec = self.lab.spec(problem_id=PROBLEM, agent_config={"kind": "nonsense"})
        result = self.run_runner(spec, args=CLEANUP)

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.lab.marker("app-cleaned-up"), ["test-hotel-reservation"])

    def test_without_task_spec_file_it_is_a_usage_error_saying_what_to_set(self):
        env = self.lab.env()
        del env["TASK_SPEC_FILE"]

        result = RunnerProcess(env, args=CLEANUP, cwd=str(self.lab.root)).finish()

        self.assertEqual(result.returncode, 2)
        self.assertIn("TASK_SPEC_FILE is not set", self.last_stderr_line(result))

    def test_it_cannot_be_combined_with_list_problems(self):
        result = self.run_runner(args=["--cleanup-problem", "--list-problems"])

        self.assertEqual(result.returncode, 2)
        self.assertIn("not allowed with argument", result.stderr)


if __name__ == "__main__":
    unittest.main()
