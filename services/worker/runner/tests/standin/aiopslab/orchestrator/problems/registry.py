"""ProblemRegistry: ids map to factories; the same lookups as upstream."""

from aiopslab.orchestrator.problems.standin_tasks import AnalysisTask, DetectionTask, LocalizationTask, MitigationTask


def _detection(pid, namespace, expected, **kwargs):
    return lambda: DetectionTask(pid, namespace, expected, **kwargs)


class ProblemRegistry:
    def __init__(self):
        self.PROBLEM_REGISTRY = {
            "k8s_target_port-misconfig-detection-1": _detection(
                "k8s_target_port-misconfig-detection-1", "test-social-network", "Yes"
            ),
            "pod_failure_hotel_res-localization-1": lambda: LocalizationTask(
                "pod_failure_hotel_res-localization-1", "test-hotel-reservation", ["user"]
            ),
            "revoke_auth_mongodb-analysis-2": lambda: AnalysisTask(
                "revoke_auth_mongodb-analysis-2",
                "test-hotel-reservation",
                {"system_level": "Application", "fault_type": "Authentication Issue"},
            ),
            "misconfig_app_hotel_res-mitigation-1": lambda: MitigationTask(
                "misconfig_app_hotel_res-mitigation-1", "test-hotel-reservation", None
            ),
            "noop_detection_hotel_reservation-1": _detection(
                "noop_detection_hotel_reservation-1", "test-hotel-reservation", "No"
            ),
            "container_kill-detection": _detection("container_kill-detection", "test-hotel-reservation", "Yes"),
            "flower_node_stop-detection": _detection("flower_node_stop-detection", "docker", "Yes"),
            # Stand-in only: OpenEBS never becomes ready, as in microsoft/AIOpsLab#117.
            "standin_openebs_timeout-detection-1": _detection(
                "standin_openebs_timeout-detection-1", "test-social-network", "Yes", never_ready=("openebs",)
            ),
        }
        self.DOCKER_REGISTRY = ["flower_node_stop-detection"]

    def get_problem_instance(self, problem_id: str):
        if problem_id not in self.PROBLEM_REGISTRY:
            raise ValueError(f"Problem ID {problem_id} not found in registry.")
        return self.PROBLEM_REGISTRY.get(problem_id)()

    def get_problem(self, problem_id: str):
        return self.PROBLEM_REGISTRY.get(problem_id)

    def get_problem_ids(self, task_type: str = None):
        if task_type:
            return [k for k in self.PROBLEM_REGISTRY.keys() if task_type in k]
        return list(self.PROBLEM_REGISTRY.keys())

    def get_problem_deployment(self, problem_id: str):
        return "docker" if problem_id in self.DOCKER_REGISTRY else "k8s"
