"""The aiopslab-tasks command against the live system: output, --json, --csv and exit codes."""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import unittest
import uuid

from helpers import DETECTION, LOCALIZATION, run_cli
from live_system import LiveSystem, free_port

system: LiveSystem
auth: list


def setUpModule() -> None:
    global system, auth
    system = LiveSystem(demo_speed="0").__enter__()
    auth = system.cli_auth


def tearDownModule() -> None:
    system.stop()


class CliTests(unittest.TestCase):
    def ok(self, *args: str, env=None) -> str:
        done = run_cli([*args, *auth] if env is None else list(args), env=env)
        self.assertEqual(done.returncode, 0, f"{args}: {done.stderr}")
        return done.stdout

    def test_submit_status_and_logs_follow(self) -> None:
        task_id = self.ok("submit", DETECTION, "--max-steps", "4", "--metadata", '{"from": "cli"}').strip()
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
        env = {"AIOPSLAB_TASKS_URL": system.url, "AIOPSLAB_TASKS_TOKEN": system.token}
        catalog = json.loads(self.ok("problems", "--json", "--task-type", "detection", env=env))
        self.assertIn({"id": DETECTION, "task_type": "detection"}, catalog)
        refused = run_cli(["problems", "--token", "wrong-token-wrong-token"], env=env)
        self.assertEqual(refused.returncode, 1)
        self.assertIn("401", refused.stderr)

    def test_exit_1_for_a_refused_request_with_the_problem_as_json(self) -> None:
        missing = run_cli(["status", str(uuid.uuid4()), "--json", *auth])
        self.assertEqual(missing.returncode, 1)
        self.assertEqual(json.loads(missing.stderr)["error"]["status"], 404)
        bad = run_cli(["submit", "bad id!", "--max-steps", "0", *auth])
        self.assertEqual(bad.returncode, 1)
        self.assertIn("max_steps", bad.stderr)
        self.assertEqual(bad.stdout, "")

    def test_exit_2_for_bad_usage(self) -> None:
        self.assertEqual(run_cli(["no-such-command", *auth]).returncode, 2)
        self.assertEqual(run_cli(["run", "results", *auth]).returncode, 2)
        malformed = run_cli(["submit", DETECTION, "--metadata", "{not json", *auth])
        self.assertEqual(malformed.returncode, 2)
        self.assertIn("--metadata is not valid JSON", malformed.stderr)
        # The test token begins with "-": as a separate word it reads as an option, and the error says the fix.
        dashed = run_cli(["problems", "--url", system.url, "--token", system.token])
        self.assertEqual(dashed.returncode, 2)
        self.assertIn("a value that begins with - goes as --token=VALUE", dashed.stderr)

    def test_exit_3_when_the_api_cannot_be_reached(self) -> None:
        down = run_cli(["problems", "--url", f"http://127.0.0.1:{free_port()}"])
        self.assertEqual(down.returncode, 3)
        self.assertIn("cannot reach the API", down.stderr)

    def test_a_run_from_create_to_results_and_export(self) -> None:
        created = run_cli(["run", "create", "--name", "cli run", "--agent", "gpt", "--agent", 'no=' + json.dumps({"kind": "scripted", "actions": ['submit("No")']}),
                           "--problem", DETECTION, "--problem", LOCALIZATION, "--repeats", "2", "--wait", "--json", *auth])
        self.assertEqual(created.returncode, 0, created.stderr)
        run = json.loads(created.stdout)
        self.assertEqual((run["status"], run["task_count"]), ("finished", 8))
        self.assertIn("8/8 finished", created.stderr)  # progress as plain lines: stderr is a pipe here
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

        watched = run_cli(["run", "watch", run_id, *auth])  # a run with wrong answers is finished, not failed
        self.assertEqual(watched.returncode, 0, watched.stderr)
        self.assertIn("status    finished", watched.stdout)

    def test_run_create_without_agents_is_refused_by_the_api(self) -> None:
        refused = run_cli(["run", "create", "--name", "x", "--problem", DETECTION, "--json", *auth])
        self.assertEqual(refused.returncode, 1)
        self.assertEqual(json.loads(refused.stderr)["error"]["status"], 400)


if __name__ == "__main__":
    unittest.main()
