"""A task through the runner against the REAL AIOpsLab source, as far as it goes without a cluster.

The kubeconfig names a loopback port where nothing listens, so the run gets through import, the
Orchestrator, agent registration and init_problem's shell-outs (fake kubectl/helm record them)
until AIOpsLab waits for OpenEBS pods through the Kubernetes API, where it polls until stopped.
"""

import json
import subprocess
import time
import unittest

from real_lab import CLUSTER, DEBIAN_PYTHON, SECRET_VALUE, TESTS_DIR, RealLab
from runner_process import RunnerProcess

SIGTERM_EXIT_CODE = 143
OPENEBS_DEFAULT_CLASS = ["patch", "storageclass", "openebs-hostpath"]


class RealSourceRunTest(unittest.TestCase):
    def setUp(self) -> None:
        self.lab = RealLab()
        self.addCleanup(self.lab.cleanup)

    def wait_for_call(self, argv_prefix: list, timeout: float = 90.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for call in self.lab.tool_calls():
                if call["argv"][: len(argv_prefix)] == argv_prefix:
                    return call
            time.sleep(0.2)
        raise AssertionError(f"no {argv_prefix} call within {timeout}s: {self.lab.tool_calls()}")

    def test_init_problem_runs_against_the_runs_own_cluster_and_sigterm_stops_it(self):
        runner = RunnerProcess(self.lab.env(), cwd=str(self.lab.root), interpreter=DEBIAN_PYTHON)
        self.wait_for_call(OPENEBS_DEFAULT_CLASS)  # init_problem got to OpenEBS: import, Orchestrator, agent all done
        runner.terminate()
        result = runner.finish(timeout=60)

        self.assertEqual(result.returncode, SIGTERM_EXIT_CODE, result.stderr[-2000:])
        error = result.only("error")
        self.assertEqual((error["phase"], error["error_type"]), ("setup", "Terminated"))
        self.assertIn("aiopslab_import_s", [e.get("name") for e in result.of_type("metric")])
        calls = self.lab.tool_calls()
        self.assertIn(["apply", "-f", "https://openebs.github.io/charts/openebs-operator.yaml"], [c["argv"] for c in calls])
        home = str(self.lab.work_dir / "home")
        for call in calls:
            self.assertEqual((call["home"], call["kubeconfig"]), (home, str(self.lab.kubeconfig)), call)
        self.assertEqual((self.lab.work_dir / "home" / ".kube" / "config").read_text(), self.lab.kubeconfig.read_text())
        self.assertFalse((self.lab.home / ".kube").exists(), "the worker's HOME is never used")
        config = (self.lab.source / "aiopslab" / "config.yml").read_text()
        self.assertIn('k8s_host: "kind"', config)

    def probe_shell(self, agent_shell, command: str) -> str:
        home = self.lab.root / "probe-home"
        args = [DEBIAN_PYTHON, str(TESTS_DIR / "real_source_probe.py"), str(home), str(self.lab.kubeconfig), json.dumps(agent_shell), command]
        out = subprocess.run(args, env=self.lab.env(), capture_output=True, text=True, timeout=120, cwd=self.lab.root)
        self.assertEqual(out.returncode, 0, out.stderr[-2000:])
        return json.loads(out.stdout.strip().splitlines()[-1])["observation"]

    def test_exec_shell_on_kind_runs_in_the_workers_own_control_plane_without_a_host_shell(self):
        observation = self.probe_shell(None, 'echo "$OPENAI_API_KEY" `id`')

        (call,) = self.lab.tool_calls("docker")
        self.assertEqual(call["argv"], ["exec", f"{CLUSTER}-control-plane", "sh", "-c", 'echo "$OPENAI_API_KEY" `id`'])
        self.assertEqual(call["secret_names"], [], "no credential reaches docker's environment")
        self.assertNotIn(SECRET_VALUE, observation)
        self.assertIn(f"fake docker exec in {CLUSTER}-control-plane", observation)

    def test_exec_shell_on_localhost_does_not_see_the_workers_credentials(self):
        observation = self.probe_shell({"mode": "localhost"}, "env")

        self.assertNotIn(SECRET_VALUE, observation)
        self.assertNotIn("OPENAI_API_KEY", observation)
        self.assertIn("KUBECONFIG=", observation, "kubectl still finds the run's cluster")


if __name__ == "__main__":
    unittest.main()
