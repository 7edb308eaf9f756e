"""The aiopslab-tasks command against the live system: output, --json, --csv and exit codes."""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import unittest
import uuid

from helpers import CliCase, LiveCli, DETECTION, LOCALIZATION, run_cli
from live_system import free_port

live = LiveCli()
setUpModule = live.start
tearDownModule = live.stop


class CliTests(CliCase):

    def test_submit_status_and_logs_follow(self) -> None:
        task_id = self.ok("submit", DETECTION, "--agent-config", '{"kind": "registry", "name": "gpt"}', "--max-steps", "4", "--metadata", '{"from": "cli"}').strip()
        uuid.UUID(task_id)
        lines = [json.loads(line) for line in self.ok("logs", "-f", task_id, "--json").splitlines()]
        self.assertTrue(lines)
        self.assertEqual([line["seq"] for line in lines], sorted(line["seq"] for line in lines))
        status = json.loads(self.ok("status", task_id, "--json"))
        self.assertEqual((status["status"], status["metadata"]), ("completed", {"from": "cli"}))
        text = self.ok("status", task_id)
        self.assertIn("status    completed", text)
        plain_logs = self.ok("logs", task_id)
        self.assertEqual(len(plain_logs.splitlines()), len(lines))

    def test_the_environment_gives_url_and_token_and_flags_override_it(self) -> None:
        env = {"AIOPSLAB_TASKS_URL": live.system.url, "AIOPSLAB_TASKS_TOKEN": live.system.token}
        catalog = json.loads(self.ok("problems", "--json", "--task-type", "detection", env=env))
        self.assertIn({"id": DETECTION, "task_type": "detection"}, catalog)
        refused = run_cli(["problems", "--token", "wrong-token-wrong-token"], env=env)
        self.assertEqual(refused.returncode, 1)
        self.assertIn("401", refused.stderr)

    def test_exit_1_for_a_refused_request_with_the_problem_as_json(self) -> None:
        missing = run_cli(["status", str(uuid.uuid4()), "--json", *live.auth])
        self.assertEqual(missing.returncode, 1)
        self.assertEqual(json.loads(missing.stderr)["error"]["status"], 404)
        bad = run_cli(["submit", "bad id!", "--agent-config", '{"kind": "registry", "name": "gpt"}', "--max-steps", "0", *live.auth])
        self.assertEqual(bad.returncode, 1)
        self.assertIn("max_steps", bad.stderr)
        self.assertEqual(bad.stdout, "")

    def test_exit_2_for_bad_usage(self) -> None:
        self.assertEqual(run_cli(["no-such-command", *live.auth]).returncode, 2)
        self.assertEqual(run_cli(["run", "results", *live.auth]).returncode, 2)
        malformed = run_cli(["submit", DETECTION, "--agent-config", '{"kind": "registry", "name": "gpt"}', "--metadata", "{not json", *live.auth])
        self.assertEqual(malformed.returncode, 2)
        self.assertIn("--metadata is not valid JSON", malformed.stderr)
        # The test token begins with "-": as a separate word it reads as an option, and the error says the fix.
        dashed = run_cli(["problems", "--url", live.system.url, "--token", live.system.token])
        self.assertEqual(dashed.returncode, 2)
        self.assertIn("a value that begins with - goes as --token=VALUE", dashed.stderr)

    def test_exit_3_when_the_api_cannot_be_reached(self) -> None:
        down = run_cli(["problems", "--url", f"http://127.0.0.1:{free_port()}"])
        self.assertEqual(down.returncode, 3)
        self.assertIn("cannot reach the API", down.stderr)

    def test_a_run_from_create_to_results_and_export(self) -> None:
        created = run_cli(["run", "create", "--name", "cli run", "--agent", "gpt", "--agent", 'no=' + json.dumps({"kind": "scripted", "actions": ['submit("No")']}),
                           "--problem", DETECTION, "--problem", LOCALIZATION, "--repeats", "2", "--wait", "--json", *live.auth])
        self.assertEqual(created.returncode, 0, created.stderr)
        run = json.loads(created.stdout)
        self.assertEqual((run["status"], run["task_count"]), ("finished", 8))
        self.assertIn("8/8 cells finished", created.stderr)  # progress as plain lines: stderr is a pipe here
        run_id = run["run_id"]

        table = self.ok("run", "results", run_id).splitlines()
        self.assertTrue(table[0].startswith("agent_label"))
        self.assertEqual(len(table), 1 + 2 * 3)  # per agent: detection, localization, all
        rows = list(csv.DictReader(io.StringIO(self.ok("run", "results", run_id, "--csv"))))
        self.assertEqual({(r["agent_label"], r["task_type"]) for r in rows} >= {("gpt", "all"), ("no", "all")}, True)
        as_json = json.loads(self.ok("run", "results", run_id, "--json"))
        self.assertEqual(len(as_json["rows"]), 6)
        self.assertEqual(json.loads(self.ok("run", "status", run_id, "--json"))["counts"]["completed"], 8)

        exported = [json.loads(line) for line in self.ok("export", run_id).splitlines()]
        self.assertEqual(len(exported), 8)
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "run.jsonl")
            self.ok("export", run_id, "-o", path)
            with open(path, encoding="utf-8") as handle:
                self.assertEqual([json.loads(line)["task_id"] for line in handle], [t["task_id"] for t in exported])

        watched = run_cli(["run", "watch", run_id, *live.auth])  # a run with wrong answers is finished, not failed
        self.assertEqual(watched.returncode, 0, watched.stderr)
        self.assertIn("status    finished", watched.stdout)

    def test_run_list_pages_with_the_keyset_cursor_and_all_follows_every_page(self) -> None:
        made = [self.ok("run", "create", "--name", f"listed {i}", "--agent", "gpt", "--problem", DETECTION).strip() for i in range(3)]
        first = json.loads(self.ok("run", "list", "--limit", "2", "--json"))
        self.assertEqual([r["run_id"] for r in first["runs"]], made[::-1][:2])  # newest first
        second = json.loads(self.ok("run", "list", "--limit", "2", f"--cursor={first['next_cursor']}", "--json"))
        self.assertEqual(second["runs"][0]["run_id"], made[0])
        every = json.loads(self.ok("run", "list", "--limit", "1", "--all", "--json"))
        self.assertTrue(set(made) <= {r["run_id"] for r in every})
        shown = run_cli(["run", "list", "--limit", "2", *live.auth])
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertEqual(shown.stdout.splitlines()[0].split(), ["run_id", "name", "status", "grid", "task_count", "created_at", "finished_at"])
        self.assertIn(f"{made[2]}  listed 2", shown.stdout)
        self.assertIn("1x1x1", shown.stdout)
        self.assertIn("more runs: --cursor=", shown.stderr)

    def test_run_results_shows_every_column_and_columns_chooses_them_and_compare_pairs_two_runs(self) -> None:
        # the same label, two behaviours: "Yes" solves detection only, a service list localization only
        yes, lists = ('yes=' + json.dumps({"kind": "scripted", "actions": ['submit("Yes")']}),
                      'yes=' + json.dumps({"kind": "scripted", "actions": ['submit(["user-service"])']}))
        ids = [json.loads(self.ok("run", "create", "--name", name, "--agent", agent, "--problem", DETECTION, "--problem", LOCALIZATION,
                                  "--repeats", "2", "--wait", "--quiet", "--json"))["run_id"] for name, agent in (("says yes", yes), ("lists", lists))]
        api_rows = json.loads(self.ok("run", "results", ids[0], "--json"))["rows"]
        header = self.ok("run", "results", ids[0]).splitlines()[0].split()
        for column in ("success_rate", "pass_hat_1", "pass_hat_2", "detection_accuracy", "localization_accuracy",
                       "mean_ttd", "mean_ttl", "mean_steps", "prompt_tokens", "completion_tokens", "in_tokens", "out_tokens"):
            self.assertIn(column, header)
        for key, value in api_rows[0].items():  # every field the api returns has its column(s)
            if value is not None and not isinstance(value, dict):
                self.assertTrue(key in header or f"{key}_low" in header, key)
        chosen = list(csv.reader(io.StringIO(self.ok("run", "results", ids[0], "--columns", "agent_label,task_type,pass^2,success_rate", "--csv"))))
        self.assertEqual(chosen[0], ["agent_label", "task_type", "pass_hat_2", "success_rate"])
        # "Yes" is right for detection and a wrong localization; the demo grades both
        self.assertEqual(chosen[1:], [["yes", "detection", "1", "1"], ["yes", "localization", "0", "0"], ["yes", "all", "0.5", "0.5"]])
        refused = run_cli(["run", "results", ids[0], "--columns", "agent_label,nope", *live.auth])
        self.assertEqual(refused.returncode, 2)
        self.assertIn("unknown column(s) nope", refused.stderr)

        comparison = json.loads(self.ok("run", "compare", ids[1], ids[0], "--json"))
        report = self.ok("run", "compare", ids[1], ids[0])
        self.assertEqual(comparison["pairs"], 2)
        self.assertIn(f"a         {ids[1]} (lists) finished: 50.0 %", report)
        self.assertIn("pairs     2 by problem and agent (yes)", report)
        self.assertIn(f"a - b     {comparison['difference'] * 100:+.1f} pp", report)
        self.assertIn(f"solved only by a: {LOCALIZATION} (yes)", report)
        self.assertIn(f"solved only by b: {DETECTION} (yes)", report)
        self.assertEqual(comparison["warnings"], [])
        self.assertIn(f"mcnemar_p {comparison['mcnemar_p']}", report)
        by_agent = report[report.index("by_agent:"):].splitlines()
        for column in ("agent_a", "agent_b", "difference", "difference_ci_low", "difference_ci_high", "mcnemar_p"):
            self.assertIn(column, by_agent[1].split())
        self.assertEqual(by_agent[2].split()[:2], ["yes", "yes"])

        # a grid that differs: the answer comes with a warning that leads the report
        narrow = json.loads(self.ok("run", "create", "--name", "detection only", "--agent", yes, "--problem", DETECTION, "--wait", "--quiet", "--json"))["run_id"]
        warned = json.loads(self.ok("run", "compare", ids[0], narrow, "--json"))
        codes = [w["code"] for w in warned["warnings"]]
        self.assertIn("problems_differ", codes)
        lines = self.ok("run", "compare", ids[0], narrow).splitlines()
        self.assertEqual(lines[:len(codes)], [f"warning   {w['message']}" for w in warned["warnings"]])
        as_json = run_cli(["run", "compare", ids[0], narrow, "--json", *live.auth])
        self.assertIn("warning: the runs' problems differ", as_json.stderr)

        # one agent against another, named: here "yes" of each run; the api refuses an agent against itself
        agents = json.loads(self.ok("run", "compare", ids[0], ids[1], "--agent-a", "yes", "--agent-b", "yes", "--json"))
        self.assertEqual((agents["pairing"], [(p["agent_a"], p["agent_b"]) for p in agents["by_agent"]]), ("agents", [("yes", "yes")]))
        self.assertEqual(run_cli(["run", "compare", ids[0], "--agent-a", "yes", "--agent-b", "yes", *live.auth]).returncode, 1)
        self.assertEqual(run_cli(["run", "compare", ids[0], "--agent-a", "yes", *live.auth]).returncode, 2)

    def test_run_create_without_agents_is_refused_by_the_api(self) -> None:
        refused = run_cli(["run", "create", "--name", "x", "--problem", DETECTION, "--json", *live.auth])
        self.assertEqual(refused.returncode, 1)
        self.assertEqual(json.loads(refused.stderr)["error"]["status"], 400)


if __name__ == "__main__":
    unittest.main()
