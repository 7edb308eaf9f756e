"""`problems health` and `problems calibrate` against the live system."""
from __future__ import annotations

import json
import unittest

from helpers import CliCase, LiveCli, run_cli

from aiopslab_tasks.cli_problem_health import calibration_runs, health_text

live = LiveCli()
setUpModule = live.start
tearDownModule = live.stop


class ProblemHealthCliTests(CliCase):

    def test_calibrate_creates_reference_agent_runs_marked_as_calibration(self) -> None:
        created = json.loads(self.ok("problems", "calibrate", "--task-type", "detection", "--repeats", "1", "--json"))
        (run,) = created
        detection = json.loads(self.ok("problems", "--task-type", "detection", "--json"))
        self.assertEqual(run["task_count"], 2 * len(detection), run)
        tasks = json.loads(self.ok("tasks", "--run-id", run["run_id"], "--limit", "0", "--json"))
        self.assertEqual({t["agent_label"] for t in tasks}, {"do_nothing", "constant_yes"})

    def test_health_prints_a_table_and_json_with_flags_and_counts(self) -> None:
        report = json.loads(self.ok("problems", "health", "--json"))
        self.assertEqual(set(report["flag_counts"]), {"do_nothing_passes", "setup_unreliable", "flaky"})
        self.assertIn("do_nothing_passes", report["definitions"])
        text = self.ok("problems", "health")
        self.assertIn("flagged problem(s)", text)


class PureTests(unittest.TestCase):
    def test_calibration_adds_constant_yes_to_detection_only(self) -> None:
        runs = calibration_runs(None, 2)
        self.assertEqual([r["problem_filter"]["task_type"] for r in runs], ["detection", "localization", "analysis", "mitigation"])
        self.assertEqual([len(r["agents"]) for r in runs], [2, 1, 1, 1])
        self.assertTrue(all(r["metadata"] == {"calibration": True} and r["repeats"] == 2 for r in runs))

    def test_the_health_table_shows_flags_do_nothing_tally_and_notes(self) -> None:
        problem = {"problem_id": "m-1", "task_type": "mitigation", "flags": ["do_nothing_passes"], "notes": [], "finished": 3,
                   "do_nothing": {"scored": 3, "solved": 3}, "setup_failure_rate": 0.0, "setup_s": {"n": 3, "p50": 12.5, "p95": 20.0}, "flaky_agents": 0}
        noop = {**problem, "problem_id": "noop_x", "flags": [], "notes": ["no fault is injected"]}
        text = health_text({"problems": [problem, noop], "flagged": 1, "flag_counts": {"do_nothing_passes": 1}}, flagged_only=False)
        self.assertIn("do_nothing_passes", text.splitlines()[1])
        self.assertIn("3/3", text.splitlines()[1])
        self.assertIn("note: noop_x: no fault is injected", text)
        self.assertNotIn("noop_x", health_text({"problems": [problem, noop], "flagged": 1, "flag_counts": {}}, flagged_only=True))


if __name__ == "__main__":
    unittest.main()
