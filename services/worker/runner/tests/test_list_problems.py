import unittest

from runner_process import RunnerProcess
from runner_test_case import RunnerTestCase


class ListProblemsTest(RunnerTestCase):
    def test_lists_every_registry_id_with_the_task_type_the_registry_gives_it(self):
        env = self.lab.env()
        del env["TASK_SPEC_FILE"]
        result = RunnerProcess(env, args=["--list-problems"], cwd=str(self.lab.root)).finish()

        self.assertEqual(result.returncode, 0, result.stderr)
        problems = {p["id"]: p["task_type"] for p in result.only("problems")["problems"]}
        self.assertEqual(problems["k8s_target_port-misconfig-detection-1"], "detection")
        self.assertEqual(problems["pod_failure_hotel_res-localization-1"], "localization")
        self.assertEqual(problems["revoke_auth_mongodb-analysis-2"], "analysis")
        self.assertEqual(problems["misconfig_app_hotel_res-mitigation-1"], "mitigation")
        self.assertEqual(problems["noop_detection_hotel_reservation-1"], "detection")
        self.assertEqual(problems["container_kill-detection"], "detection")
        self.assertEqual(len(problems), 7)
        unsupported = result.only("problems")["unsupported"]
        self.assertEqual([(p["id"], p["task_type"]) for p in unsupported], [("flower_node_stop-detection", "detection")])
        self.assertIn("docker compose", unsupported[0]["reason"])
        self.assertEqual(self.lab.marker("orchestrator-constructed"), [], "listing needs no cluster")

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
