import json
import os
import unittest

from runner_test_case import RunnerTestCase


class SuccessfulRunTest(RunnerTestCase):
    def test_scripted_run_reports_setup_each_step_and_a_json_safe_result(self):
        result = self.run_runner()

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(
            [t for t in result.types() if t not in ("log", "metric")],
            ["session_started", "setup_done", "step", "step", "result"],
        )
        setup = result.only("setup_done")
        self.assertIn("exec_shell", setup["apis"])
        self.assertGreaterEqual(setup["duration_s"], 0)

        first, second = result.of_type("step")
        self.assertEqual((first["n"], second["n"]), (1, 2))
        self.assertIn('exec_shell("kubectl get pods -n test-social-network")', first["action"])
        self.assertTrue(first["observation"].startswith("NAME"), first)
        self.assertTrue(first["observation"].endswith("Running   0\n"), "the prompt suffix is stripped")
        self.assertEqual(second["observation"], "VALID_SUBMISSION", "the last observation comes from the history")

        final = result.only("result")
        self.assertEqual(final["results"]["Detection Accuracy"], "Correct")
        self.assertIsInstance(final["framework_overhead"], float)
        self.assertEqual(set(final["durations"]), {"setup_s", "loop_s", "teardown_s"})
        session = final["session"]
        self.assertEqual(session["session_id"], result.only("session_started")["session_id"])
        self.assertEqual([item["role"] for item in session["trace"]], ["assistant", "env", "assistant", "env"])
        self.assertEqual(session["trace"][-1]["content"], "VALID_SUBMISSION")
        self.assertEqual(session["agent"], "scripted")

    def test_session_json_file_is_written_under_results_dir(self):
        result = self.run_runner()

        session_id = result.only("session_started")["session_id"]
        files = list(self.lab.results_dir.glob(f"{session_id}_*.json"))
        self.assertEqual(len(files), 1, f"results_dir holds {list(self.lab.results_dir.iterdir())}")
        self.assertEqual(json.loads(files[0].read_text())["problem_id"], "k8s_target_port-misconfig-detection-1")

    def test_config_yml_and_environment_are_prepared_before_aiopslab_is_imported(self):
        result = self.run_runner()

        self.assertEqual(result.returncode, 0, result.stderr)
        config = self.lab.config_yml()
        self.assertEqual(config["k8s_host"], "kind", "a Kind cluster's agent shell runs as upstream runs it")
        self.assertEqual(config["data_dir"], str(self.lab.work_dir / "aiopslab-data"))
        self.assertIs(config["qualitative_eval"], False)
        self.assertIs(config["print_session"], False)
        self.assertEqual(self.lab.marker("kubectl-context"), ["kind-worker-w1-kind"])
        self.assertTrue((self.lab.work_dir / "helm" / "config").is_dir())
        self.assertTrue((self.lab.work_dir / "helm" / "cache").is_dir())
        self.assertTrue((self.lab.work_dir / "helm" / "data").is_dir())

    def test_the_helm_homes_the_worker_names_are_made_by_the_runner(self):
        homes = {name: str(self.lab.work_dir / ".helm" / part) for name, part in (("HELM_CONFIG_HOME", "config"), ("HELM_CACHE_HOME", "cache"), ("HELM_DATA_HOME", "data"))}
        result = self.run_runner(**homes)

        self.assertEqual(result.returncode, 0, result.stderr)
        for name, home in homes.items():
            self.assertTrue(os.path.isdir(home), f"{name} {home} was not made")

    def test_fault_is_recovered_once_by_the_normal_end_not_by_the_atexit_hook(self):
        self.run_runner()

        self.assertEqual(self.lab.marker("fault-recovered"), ["k8s_target_port-misconfig-detection-1"])
        self.assertEqual(self.lab.marker("atexit-hook-ran"), [])

    def test_registry_agent_is_built_with_params_and_given_its_context(self):
        params = {"model": "Qwen/Qwen2.5-Coder-3B-Instruct", "temperature": 0.2, "base_url": "http://vllm.internal:8000/v1"}
        result = self.run_runner(self.lab.spec(agent_config={"kind": "registry", "name": "vllm", "params": params}))

        self.assertEqual(result.returncode, 0, result.stderr)
        params = json.loads(self.lab.marker("agent-params")[0])
        self.assertEqual((params["class"], params["temperature"]), ("vLLMAgent", 0.2))
        self.assertNotIn("base_url", params, "the runner takes base_url; upstream's constructor has no such parameter")
        self.assertEqual(len(result.of_type("step")), 2)
        self.assertEqual(result.only("result")["session"]["agent"], "vllm")

    def test_max_steps_without_a_submission_still_reports_the_evaluation(self):
        agent = {"kind": "scripted", "actions": ['exec_shell("kubectl get pods")'] * 2}
        result = self.run_runner(self.lab.spec(agent_config=agent, max_steps=2))

        self.assertEqual(result.returncode, 0, result.stderr)
        steps = result.of_type("step")
        self.assertEqual([s["n"] for s in steps], [1, 2])
        self.assertTrue(steps[-1]["observation"].startswith("NAME"), "last observation read from the history")
        self.assertEqual(result.only("result")["results"]["Detection Accuracy"], "Invalid Format")

    def test_teardown_failure_after_the_evaluation_still_reports_the_result_then_a_teardown_error(self):
        result = self.run_runner(STANDIN_TEARDOWN_FAIL="1")

        self.assertEqual(result.returncode, 1)
        self.assertEqual([t for t in result.types() if t in ("result", "error")], ["result", "error"])
        self.assertEqual(result.only("result")["results"]["Detection Accuracy"], "Correct")
        self.assertIsNone(result.only("result")["framework_overhead"])
        error = self.assert_single_error(result, "teardown", "Exception", True)
        self.assertIn("openebs", error["message"])


if __name__ == "__main__":
    unittest.main()
