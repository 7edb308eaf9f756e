"""`run status` with a budget, `run budget` (PATCH /runs/{id}) and `run results` with infra_errors, against the live system."""
from __future__ import annotations

import json
import os
import tempfile
import unittest

from helpers import CliCase, LiveCli, DETECTION, GPT, run_cli, wait_for

from aiopslab_tasks import Client
from aiopslab_tasks.formatting import run_summary

live = LiveCli()
setUpModule = live.start
tearDownModule = live.stop


class RunBudgetCliTests(CliCase):

    def test_a_run_stops_at_budget_exhausted_status_says_so_and_run_budget_raises_it(self) -> None:
        body = {"name": "budgeted", "problem_ids": [DETECTION], "agents": [{"label": "gpt", "agent_config": GPT}], "repeats": 3, "budget_usd": 0.000001}
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(body, f)
        self.addCleanup(os.unlink, f.name)
        run_id = json.loads(self.ok("run", "create", "--file", f.name, "--json"))["run_id"]
        wait_for("budget_exhausted", lambda: json.loads(self.ok("run", "status", run_id, "--json"))["status"] == "budget_exhausted" or None)

        text = self.ok("run", "status", run_id)
        self.assertIn("status    budget_exhausted", text)
        self.assertIn("budget    $0.000001, 2 cells not created yet; budget_exhausted: raise it to go on", text)
        self.assertIn(f"run budget {run_id} USD", text)

        lower = run_cli(["run", "budget", run_id, "0", *live.auth])
        self.assertNotEqual(lower.returncode, 0)
        self.assertIn("budget_usd", lower.stderr)
        self.assertEqual(self.ok("run", "budget", run_id, "5").strip(), f"run {run_id}: budget $0.000001 -> $5; 2 tasks created")

        finished = Client(live.system.url, live.system.token).wait_run(run_id, timeout=300, progress=False)
        self.assertEqual((finished["status"], finished["task_count"], finished["budget_usd"]), ("finished", 3, 5))
        self.assertIn("budget    $5", self.ok("run", "status", run_id))

    def test_run_results_shows_infra_errors_and_picks_it_with_columns(self) -> None:
        run_id = json.loads(self.ok("run", "create", "--name", "infra column", "--problem", DETECTION, "--agent", "gpt", "--json"))["run_id"]
        Client(live.system.url, live.system.token).wait_run(run_id, timeout=300, progress=False)
        header = self.ok("run", "results", run_id).splitlines()[0]
        self.assertIn("infra_errors", header)
        picked = self.ok("run", "results", run_id, "--columns", "agent_label,task_type,infra_errors").splitlines()
        self.assertEqual(picked[0].split(), ["agent_label", "task_type", "infra_errors"])
        self.assertEqual(picked[1].split()[-1], "0")


class PureTests(CliCase):
    def test_status_shows_budget_calibration_and_infra_retries(self) -> None:
        run = {"run_id": "r1", "name": "n", "status": "budget_exhausted", "counts": {}, "budget_usd": 0.5, "cells_not_created": 4,
               "infra_retries_due": 1, "max_infra_retries": 2, "calibration": True}
        text = run_summary(run)
        self.assertIn("budget    $0.5, 4 cells not created yet; budget_exhausted: raise it to go on (run budget r1 USD)", text)
        self.assertIn("1 infra-error retries due (max 2 per cell)", text)
        self.assertIn("calibration run", text)
