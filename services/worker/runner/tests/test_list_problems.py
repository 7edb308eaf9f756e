import unittest

from runner_process import RunnerProcess
from runner_test_case import RunnerTestCase


class ListProblemsTest(RunnerTestCase):
    def test_listing_without_protocol_fd_writes_the_line_on_stdout(self):
        result = self.run_runner(args=["--list-problems"], protocol_fd=False)

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.types(), ["problems"])

    def test_listing_without_aiopslab_reports_a_setup_error(self):
        env = {**self.lab.env(), "PYTHONPATH": str(self.lab.root / "nothing-here")}
        result = RunnerProcess(env, args=["--list-problems"]).finish()

        self.assertEqual(result.returncode, 1)
        self.assert_single_error(result, "setup", "AIOpsLabNotFound", True)


if __name__ == "__main__":
    unittest.main()
