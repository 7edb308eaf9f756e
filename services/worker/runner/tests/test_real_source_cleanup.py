"""`--cleanup-problem` against the REAL AIOpsLab source: a hotel-reservation problem's own
recover_fault and app.cleanup reach kubectl, helm and a fake Kubernetes API, and nothing is
deployed or injected. (HotelReservation.cleanup sleeps 15 s upstream, so each run takes that.)"""

import unittest

from fake_kube_api import FakeKubeApi, deployment
from real_lab import DEBIAN_PYTHON, RealLab, kubeconfig_text
from runner_process import RunnerProcess

NAMESPACE = "test-hotel-reservation"
NAMESPACE_PATH = f"/api/v1/namespaces/{NAMESPACE}"
GEO = (NAMESPACE, "geo")


class RealSourceCleanupTest(unittest.TestCase):
    def setUp(self) -> None:
        self.lab = RealLab()
        self.addCleanup(self.lab.cleanup)

    def cleanup(self, api: FakeKubeApi, problem_id: str):
        self.lab.kubeconfig.write_text(kubeconfig_text(api.port).replace("https://", "http://"))
        spec = self.lab.spec(problem_id=problem_id)
        runner = RunnerProcess(self.lab.env(spec), args=["--cleanup-problem"], cwd=str(self.lab.root), interpreter=DEBIAN_PYTHON)
        return runner.finish(timeout=180)

    def calls(self) -> list:
        return [[call["tool"], *call["argv"]] for call in self.lab.tool_calls()]

    def assert_nothing_deployed_or_injected(self) -> None:
        for call in self.calls():
            self.assertFalse(call[:2] == ["kubectl", "apply"] or "openebs" in " ".join(call) or call[:2] == ["helm", "uninstall"], call)

    def test_pod_failure_recovery_deletes_its_chaos_experiment_then_the_app_namespace_goes(self):
        with FakeKubeApi(self.lab.tool_log) as api:
            result = self.cleanup(api, "pod_failure_hotel_res-detection-1")

        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        calls = self.calls()
        recover = calls.index(["kubectl", "delete", "-f", "/tmp/pod-failure.yaml"])
        delete_namespace = calls.index(["kube-api", "DELETE", NAMESPACE_PATH])
        self.assertLess(recover, delete_namespace, "the fault is recovered before the app goes")
        self.assertIn(["kube-api", "GET", NAMESPACE_PATH], calls[delete_namespace:], "app.cleanup waits for the namespace")
        self.assertIn(["kubectl", "get", "pv", "--no-headers"], calls[delete_namespace:], "then its volumes")
        self.assert_nothing_deployed_or_injected()
        home = str(self.lab.work_dir / "home")
        self.assertTrue(all(c["home"] == home for c in self.lab.tool_calls() if c["tool"] != "kube-api"))
        self.assertIn("succeeded", result.stderr.rstrip().splitlines()[-1])
        self.assertEqual(set(result.types()), {"log"})

    def test_misconfig_recovery_restores_the_image_before_the_app_namespace_goes(self):
        with FakeKubeApi(self.lab.tool_log, {GEO: deployment(*GEO, "yinfangchen/geo:app3")}) as api:
            result = self.cleanup(api, "misconfig_app_hotel_res-mitigation-1")

        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        (container,) = api.replaced[GEO]["spec"]["template"]["spec"]["containers"]
        self.assertEqual(container["image"], "yinfangchen/hotelreservation:latest")
        calls = self.calls()
        self.assertLess(calls.index(["kube-api", "PUT", f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments/geo"]), calls.index(["kube-api", "DELETE", NAMESPACE_PATH]))
        self.assert_nothing_deployed_or_injected()

    def test_a_failed_recovery_still_deletes_the_app_and_the_last_line_names_it(self):
        with FakeKubeApi(self.lab.tool_log) as api:  # no geo deployment: upstream's recovery raises
            result = self.cleanup(api, "misconfig_app_hotel_res-mitigation-1")

        self.assertEqual(result.returncode, 1, result.stderr[-3000:])
        self.assertIn(["kube-api", "DELETE", NAMESPACE_PATH], self.calls())
        last = result.stderr.rstrip().splitlines()[-1]
        self.assertIn("recover_fault failed: ApiException: (404)", last)
        self.assertNotIn("app.cleanup failed", last)

    def test_an_unknown_problem_id_fails_before_touching_the_cluster(self):
        with FakeKubeApi(self.lab.tool_log) as api:
            result = self.cleanup(api, "no_such_problem-mitigation-1")

        self.assertEqual(result.returncode, 1)
        self.assertIn("is not in AIOpsLab's registry of 89 problems", result.stderr.rstrip().splitlines()[-1])
        self.assertEqual([c for c in self.calls() if c[0] != "kube-api"], [])


if __name__ == "__main__":
    unittest.main()
