"""The runner against the REAL AIOpsLab source: importing, listing, agents (no cluster needed)."""

import json
import subprocess
import unittest

from real_lab import DEBIAN_PYTHON, RealLab, kubeconfig_text, closed_port
from runner_process import RunnerProcess

FLOWER_PROBLEMS = {"flower_node_stop-detection", "flower_model_misconfig-detection"}


class RealSourceCatalogTest(unittest.TestCase):
    def setUp(self) -> None:
        self.lab = RealLab()
        self.addCleanup(self.lab.cleanup)

    def list_problems(self, **env: str):
        environment = self.lab.env(**env)
        del environment["TASK_SPEC_FILE"]
        return RunnerProcess(environment, args=["--list-problems"], cwd=str(self.lab.root), interpreter=DEBIAN_PYTHON).finish(timeout=120)

    def registry_as_upstream_sees_it(self) -> dict:
        """The registry read directly, with a ~/.kube/config in place as upstream expects."""
        home = self.lab.root / "upstream-home"
        (home / ".kube").mkdir(parents=True)
        (home / ".kube" / "config").write_text(kubeconfig_text(closed_port()))
        script = (
            "import json\nfrom aiopslab.orchestrator.problems.registry import ProblemRegistry\n"
            "r = ProblemRegistry()\n"
            "print(json.dumps({'ids': r.get_problem_ids(), 'docker': r.DOCKER_REGISTRY,"
            " 'types': {t: r.get_problem_ids(task_type=t) for t in ('detection', 'localization', 'analysis', 'mitigation')}}))"
        )
        env = {**self.lab.env(), "HOME": str(home)}
        out = subprocess.run([DEBIAN_PYTHON, "-c", script], env=env, capture_output=True, text=True, timeout=120, cwd=self.lab.root)
        self.assertEqual(out.returncode, 0, out.stderr[-2000:])
        return json.loads(out.stdout.strip().splitlines()[-1])

    def test_listing_from_an_empty_home_returns_every_registry_problem(self):
        result = self.list_problems()

        self.assertEqual(result.returncode, 0, result.stderr[-2000:])
        line = result.only("problems")
        listed = {p["id"]: p["task_type"] for p in line["problems"]}
        unsupported = {p["id"]: p for p in line["unsupported"]}
        registry = self.registry_as_upstream_sees_it()
        self.assertEqual(sorted(listed) + sorted(unsupported), sorted(set(registry["ids"]) - FLOWER_PROBLEMS) + sorted(FLOWER_PROBLEMS))
        self.assertEqual(len(registry["ids"]), 89)
        self.assertEqual(set(unsupported), set(registry["docker"]))
        self.assertTrue(all("docker compose" in p["reason"] for p in unsupported.values()))
        for task_type, ids in registry["types"].items():
            for problem_id in set(ids) - FLOWER_PROBLEMS:
                self.assertEqual(listed[problem_id], task_type, problem_id)
        self.assertFalse((self.lab.home / ".kube").exists(), "the worker's own HOME is left alone")

    def test_listing_ignores_a_worker_kubeconfig_that_does_not_exist(self):
        result = self.list_problems(KUBECONFIG=str(self.lab.root / "no-such-kubeconfig"))

        self.assertEqual(result.returncode, 0, result.stderr[-2000:])
        self.assertEqual(len(result.only("problems")["problems"]), 87)

    def test_a_broken_aiopslab_environment_is_reported_as_the_workers_fault(self):
        result = self.list_problems(PYTHONPATH=str(self.lab.source))  # without the four stand-ins

        self.assertEqual(result.returncode, 1)
        error = result.only("error")
        self.assertEqual((error["phase"], error["origin"], error["retryable"]), ("setup", "environment", True))
        self.assertEqual(error["error_type"], "ModuleNotFoundError")
        self.assertIn("importing AIOpsLab failed", error["message"])

    def run_task(self, **spec_overrides):
        spec = self.lab.spec(**spec_overrides)
        return RunnerProcess(self.lab.env(spec), cwd=str(self.lab.root), interpreter=DEBIAN_PYTHON).finish(timeout=120)

    def test_an_unknown_problem_fails_for_good_before_the_cluster_is_touched(self):
        result = self.run_task(problem_id="no_such_problem-detection-9")

        self.assertEqual(result.returncode, 1)
        error = result.only("error")
        self.assertEqual((error["phase"], error["error_type"], error["retryable"]), ("setup", "UnknownProblemId", False))
        self.assertIn("registry of 89 problems", error["message"])
        self.assertEqual(self.lab.tool_calls(), [], "the Orchestrator, which touches the cluster, was never built")

    def test_a_flower_problem_is_refused_for_good_saying_why(self):
        result = self.run_task(problem_id="flower_node_stop-detection")

        error = result.only("error")
        self.assertEqual((error["error_type"], error["retryable"], error["origin"]), ("UnsupportedProblem", False, "task"))
        self.assertIn("docker compose", error["message"])
        self.assertEqual(self.lab.tool_calls(), [])

    def test_the_shell_only_prompt_is_upstreams_docs_shell_only(self):
        script = (
            "import json, sys\nsys.path.insert(0, sys.argv[1])\n"
            "from clients.utils.templates import DOCS_SHELL_ONLY as upstream\n"
            "from aiopslab_runner import prompt_templates as ours\n"
            "print(json.dumps([upstream == ours.DOCS_SHELL_ONLY, ours.upstream_docs_shell_only() == upstream]))"
        )
        from runner_paths import RUNNER_DIR

        out = subprocess.run([DEBIAN_PYTHON, "-c", script, str(RUNNER_DIR)], env=self.lab.env(), capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(json.loads(out.stdout), [True, True])

    def test_a_bundled_agent_whose_dependencies_are_missing_fails_for_good_saying_what_to_install(self):
        result = self.run_task(agent_config={"kind": "registry", "name": "gpt", "params": {}})

        error = result.only("error")
        self.assertEqual((error["phase"], error["error_type"], error["origin"], error["retryable"]), ("setup", "AgentDependencyMissing", "task", False))
        self.assertIn("'groq'", error["message"])
        self.assertEqual(self.lab.tool_calls("kubectl"), [], "no cluster work before the agent exists")


if __name__ == "__main__":
    unittest.main()
