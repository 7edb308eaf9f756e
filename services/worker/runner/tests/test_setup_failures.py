import subprocess
import unittest

from runner_paths import ENTRY_SCRIPT
from runner_process import RunnerProcess
from runner_test_case import RunnerTestCase


class SetupFailureTest(RunnerTestCase):
    def test_openebs_readiness_timeout_is_a_retryable_setup_error(self):
        result = self.run_runner(self.lab.spec(problem_id="standin_openebs_timeout-detection-1"))

        self.assertEqual(result.returncode, 1)
        error = self.assert_single_error(result, "setup", "Exception", True)
        self.assertEqual(error["message"], "Timeout waiting for openebs")
        self.assertIn("wait_for_ready", error["traceback"])
        self.assertNotIn("setup_done", result.types())
        self.assertIs(error["cluster_touched"], True, "init_problem deployed into the cluster: the worker resets it")

    def test_unknown_registry_agent_fails_without_retry_before_the_orchestrator_exists(self):
        agent = {"kind": "registry", "name": "nope", "params": {}}
        result = self.run_runner(self.lab.spec(agent_config=agent))

        error = self.assert_single_error(result, "setup", "InvalidAgentConfig", False)
        self.assertIn("gpt", error["message"], "the known agents are listed")
        self.assertEqual(self.lab.marker("orchestrator-constructed"), [])
        self.assertIs(error["cluster_touched"], False, "nothing reached the cluster: the worker keeps it as it is")

    def test_registry_params_the_agent_does_not_accept_fail_without_retry(self):
        agent = {"kind": "registry", "name": "gpt", "params": {"model": "gpt-4o"}}
        result = self.run_runner(self.lab.spec(agent_config=agent))

        self.assert_single_error(result, "setup", "InvalidAgentConfig", False)
        self.assertEqual(self.lab.marker("agent-params"), [], "the agent is never constructed")

    def test_invalid_spec_reports_every_problem_at_once(self):
        spec = self.lab.spec(max_steps=0, attempt="1", agent_config={"kind": "scripted", "actions": []})
        del spec["results_dir"]
        result = self.run_runner(spec)

        self.assertEqual(result.returncode, 1)
        error = self.assert_single_error(result, "setup", "InvalidTaskSpec", False)
        for field in ("max_steps", "attempt", "results_dir"):
            self.assertIn(field, error["message"])
        self.assertIs(error["cluster_touched"], False)

    def test_invalid_agent_config_lists_every_bad_field(self):
        agent = {"kind": "openai_compatible", "base_url": "ftp://x", "model": "", "temperature": "hot"}
        result = self.run_runner(self.lab.spec(agent_config=agent))

        error = self.assert_single_error(result, "setup", "InvalidAgentConfig", False)
        for field in ("base_url", "model", "temperature"):
            self.assertIn(field, error["message"])

    def test_unreadable_spec_file_is_a_non_retryable_setup_error(self):
        env = self.lab.env()
        env["TASK_SPEC_FILE"] = str(self.lab.root / "missing.json")
        result = RunnerProcess(env).finish()
        self.assert_single_error(result, "setup", "InvalidTaskSpec", False)

    def test_a_run_without_a_kubeconfig_is_the_workers_fault_before_aiopslab_is_imported(self):
        spec = self.lab.spec(cluster={"provider": "kind", "name": "worker-w1-kind"})
        result = self.run_runner(spec)

        error = self.assert_single_error(result, "setup", "KubeconfigUnavailable", True)
        self.assertEqual(error["origin"], "environment")
        self.assertIn("CLUSTER_PROVIDER", error["message"])
        self.assertEqual(self.lab.marker("orchestrator-constructed"), [])

    def test_an_unreadable_kubeconfig_is_the_workers_fault(self):
        spec = self.lab.spec(cluster={"provider": "kind", "name": "worker-w1-kind", "kubeconfig": str(self.lab.root / "gone")})
        result = self.run_runner(spec)

        error = self.assert_single_error(result, "setup", "KubeconfigUnavailable", True)
        self.assertEqual(error["origin"], "environment")
        self.assertIn("gone", error["message"])

    def test_missing_task_spec_file_variable_is_a_usage_error(self):
        env = self.lab.env()
        del env["TASK_SPEC_FILE"]
        result = RunnerProcess(env).finish()

        self.assertEqual(result.returncode, 2)
        self.assert_single_error(result, "setup", "UsageError", False)

    def test_protocol_fd_that_is_stdout_or_not_open_is_a_usage_error(self):
        for value in ("1", "97", "three"):
            with self.subTest(PROTOCOL_FD=value):
                completed = subprocess.run(
                    [str(ENTRY_SCRIPT)], env={**self.lab.env(), "PROTOCOL_FD": value}, capture_output=True, timeout=20
                )
                self.assertEqual(completed.returncode, 2)
                self.assertIn(b"PROTOCOL_FD", completed.stderr)

    def test_unknown_argument_is_a_usage_error(self):
        completed = subprocess.run([str(ENTRY_SCRIPT), "--bogus"], env=self.lab.env(), capture_output=True, timeout=20)
        self.assertEqual(completed.returncode, 2)


if __name__ == "__main__":
    unittest.main()
