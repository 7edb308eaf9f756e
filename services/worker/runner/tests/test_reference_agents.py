"""The reference agents (do_nothing, constant_yes) through the runner against the stand-in lab:
one step, the empty answer of the problem's task type, graded by the problem."""

import unittest

from runner_test_case import RunnerTestCase

import runner_paths  # noqa: F401  (puts the runner package on sys.path)
from aiopslab_runner.agent_config import ReferenceAgentConfig, parse_agent_config
from aiopslab_runner.errors import InvalidAgentConfig

DO_NOTHING = {"kind": "reference", "name": "do_nothing"}
CONSTANT_YES = {"kind": "reference", "name": "constant_yes"}


class ReferenceAgentConfigTest(unittest.TestCase):
    def test_a_reference_config_names_one_of_the_built_in_agents(self):
        self.assertEqual(parse_agent_config(DO_NOTHING), ReferenceAgentConfig(name="do_nothing"))
        self.assertEqual(parse_agent_config(CONSTANT_YES), ReferenceAgentConfig(name="constant_yes"))

    def test_an_unknown_name_or_an_extra_field_is_rejected_with_the_names_to_use(self):
        with self.assertRaisesRegex(InvalidAgentConfig, r"one of \['do_nothing', 'constant_yes'\], got 'oracle'"):
            parse_agent_config({"kind": "reference", "name": "oracle"})
        with self.assertRaisesRegex(InvalidAgentConfig, r"takes only kind and name; remove \['actions'\]"):
            parse_agent_config({**DO_NOTHING, "actions": ["submit()"]})


class ReferenceAgentRunTest(RunnerTestCase):
    def run_reference(self, agent: dict, problem_id: str):
        result = self.run_runner(self.lab.spec(agent_config=agent, problem_id=problem_id))
        self.assertEqual(result.returncode, 0, result.stderr)
        (step,) = result.of_type("step")
        return step["action"], result.only("result")["results"]

    def test_do_nothing_submits_the_empty_answer_of_each_task_type_in_one_step(self):
        cases = {
            "k8s_target_port-misconfig-detection-1": 'submit("No")',
            "pod_failure_hotel_res-localization-1": "submit([])",
            "revoke_auth_mongodb-analysis-2": "submit({})",
            "misconfig_app_hotel_res-mitigation-1": "submit()",
        }
        for problem_id, expected in cases.items():
            with self.subTest(problem_id):
                action, results = self.run_reference(DO_NOTHING, problem_id)
                self.assertEqual(action, f"```\n{expected}\n```")
                self.assertEqual(results["steps"], 1)

    def test_do_nothing_fails_a_faulty_detection_problem_and_passes_the_noop_one(self):
        _, faulty = self.run_reference(DO_NOTHING, "k8s_target_port-misconfig-detection-1")
        _, noop = self.run_reference(DO_NOTHING, "noop_detection_hotel_reservation-1")

        self.assertEqual(faulty["Detection Accuracy"], "Incorrect")
        self.assertEqual(noop["Detection Accuracy"], "Correct")

    def test_do_nothing_fails_localization_and_analysis(self):
        _, localization = self.run_reference(DO_NOTHING, "pod_failure_hotel_res-localization-1")
        _, analysis = self.run_reference(DO_NOTHING, "revoke_auth_mongodb-analysis-2")

        self.assertIs(localization["success"], False)
        self.assertIs(analysis["success"], False)

    def test_the_stand_in_mitigation_grader_passes_a_bare_submit_which_is_the_defect_health_reports(self):
        _, results = self.run_reference(DO_NOTHING, "misconfig_app_hotel_res-mitigation-1")
        self.assertIs(results["success"], True)

    def test_constant_yes_answers_yes_to_detection(self):
        action, faulty = self.run_reference(CONSTANT_YES, "k8s_target_port-misconfig-detection-1")
        _, noop = self.run_reference(CONSTANT_YES, "noop_detection_hotel_reservation-1")

        self.assertEqual(action, '```\nsubmit("Yes")\n```')
        self.assertEqual((faulty["Detection Accuracy"], noop["Detection Accuracy"]), ("Correct", "Incorrect"))

    def test_constant_yes_on_another_task_type_fails_before_the_cluster_is_touched(self):
        result = self.run_runner(self.lab.spec(agent_config=CONSTANT_YES, problem_id="pod_failure_hotel_res-localization-1"))

        error = self.assert_single_error(result, "setup", "InvalidAgentConfig", False)
        self.assertIn("answers ['detection'] problems only", error["message"])
        self.assertEqual(self.lab.marker("fault-injected"), [])


if __name__ == "__main__":
    unittest.main()
