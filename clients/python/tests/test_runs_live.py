"""Runs through the library: create → wait → results → export (→ DataFrame) against the live system."""
from __future__ import annotations

import io
import json
import os
import subprocess
import unittest

from aiopslab_tasks import ApiError, Client, MissingExtraError
from aiopslab_tasks.progress import ProgressReporter
from helpers import CLIENT_DIR, DETECTION, GPT, LOCALIZATION, python_with
from live_system import LiveSystem

system: LiveSystem
client: Client
run: dict


def setUpModule() -> None:
    global system, client, run
    system = LiveSystem(demo_speed="0").__enter__()
    client = Client(system.url, system.token)
    run = client.create_run(
        name="python client run",
        problem_ids=[DETECTION, LOCALIZATION],
        agents=[{"label": "gpt", "agent_config": GPT}, {"label": "scripted-no", "agent_config": {"kind": "scripted", "actions": ['submit("No")']}}],
        repeats=2,
        metadata={"suite": "python-client"},
    )


def tearDownModule() -> None:
    system.stop()


class RunTests(unittest.TestCase):
    def finished_run(self) -> dict:
        return client.wait_run(run["run_id"], timeout=300, progress=False)

    def test_wait_run_returns_the_finished_run_and_reports_progress_as_lines_when_piped(self) -> None:
        self.assertEqual(run["task_count"], 8)
        progress = io.StringIO()
        finished = client.wait_run(run["run_id"], timeout=300, reporter=ProgressReporter(progress, tty=False))
        self.assertEqual(finished["status"], "finished")
        self.assertEqual(finished["counts"]["completed"], 8)
        lines = progress.getvalue().splitlines()
        self.assertTrue(lines)
        self.assertIn("8/8 cells finished; 8 tasks (completed 8)", lines[-1])
        self.assertNotIn("\r", progress.getvalue())

    def test_the_results_table_scores_each_agent(self) -> None:
        self.finished_run()
        table = client.run_results(run["run_id"])
        overall = {row["agent_label"]: row for row in table.rows if row["task_type"] == "all"}
        self.assertEqual(set(overall), {"gpt", "scripted-no"})
        self.assertEqual((overall["gpt"]["n"], overall["gpt"]["solved"]), (4, 4))
        # "No" is the wrong detection answer; the scripted agent's localization submits something, which the demo accepts
        detection = next(r for r in table.rows if r["agent_label"] == "scripted-no" and r["task_type"] == "detection")
        self.assertEqual(detection["solved"], 0)
        self.assertEqual(table["status"], "finished")

    def test_export_streams_every_task_with_its_trajectory(self) -> None:
        self.finished_run()
        with client.export_run(run["run_id"]) as export:
            tasks = list(export)
        self.assertEqual(len(tasks), 8)
        self.assertEqual({t["run_id"] for t in tasks}, {run["run_id"]})
        self.assertEqual({(t["problem_id"], t["agent_label"], t["repeat_index"]) for t in tasks}.__len__(), 8)
        self.assertTrue(all(t["trajectory"] for t in tasks))
        self.assertEqual({t["metadata"]["suite"] for t in tasks}, {"python-client"})
        out = io.StringIO()
        self.assertEqual(client.export_run(run["run_id"]).write_jsonl(out), 8)
        self.assertEqual([json.loads(line)["task_id"] for line in out.getvalue().splitlines()], [t["task_id"] for t in tasks])

    def test_results_and_export_become_dataframes_where_pandas_is_installed(self) -> None:
        self.finished_run()
        python = python_with("pandas")
        if python is None:  # then the error must say which package to install
            with self.assertRaises(MissingExtraError) as caught:
                client.run_results(run["run_id"]).to_pandas()
            self.assertIn("pip install pandas", str(caught.exception))
            return
        script = (
            "import json, sys\nfrom aiopslab_tasks import Client\n"
            "c = Client(sys.argv[1], sys.argv[2])\n"
            "results = c.run_results(sys.argv[3]).to_pandas()\n"
            "tasks = c.export_run(sys.argv[3]).to_pandas()\n"
            "overall = results[results.task_type == 'all'].set_index('agent_label')\n"
            "print(json.dumps({'columns': list(results.columns), 'gpt_rate': float(overall.loc['gpt', 'success_rate']),"
            " 'tasks': len(tasks), 'statuses': sorted(set(tasks.status))}))\n"
        )
        answer = subprocess.run([python, "-c", script, system.url, system.token, run["run_id"]], capture_output=True, text=True,
                                env={**os.environ, "PYTHONPATH": CLIENT_DIR}, timeout=120)
        self.assertEqual(answer.returncode, 0, answer.stderr)
        frame = json.loads(answer.stdout)
        self.assertIn("pass_hat_k.1", frame["columns"])
        self.assertEqual(frame["gpt_rate"], 1.0)
        self.assertEqual((frame["tasks"], frame["statuses"]), (8, ["completed"]))

    def test_to_hf_dataset_names_the_missing_datasets_package(self) -> None:
        self.finished_run()
        if python_with("datasets") is not None:
            self.assertEqual(len(client.export_run(run["run_id"]).to_hf_dataset()), 8)
            return
        with self.assertRaises(ImportError) as caught:
            client.export_run(run["run_id"]).to_hf_dataset()
        self.assertIsInstance(caught.exception, MissingExtraError)
        self.assertEqual(caught.exception.name, "datasets")
        self.assertIn("pip install datasets", str(caught.exception))

    def test_a_finished_run_has_nothing_to_retry_or_cancel(self) -> None:
        self.finished_run()
        self.assertEqual(client.retry_run(run["run_id"]), {"run_id": run["run_id"], "retried": 0, "task_ids": []})
        with self.assertRaises(ApiError) as caught:
            client.cancel_run(run["run_id"])
        self.assertEqual((caught.exception.status, caught.exception.code), (409, "run_finished"))

    def test_a_bad_run_raises_api_error_naming_the_fields(self) -> None:
        with self.assertRaises(ApiError) as caught:
            client.create_run(name="bad", agents=[{"label": "x"}], repeats=0)
        self.assertEqual(caught.exception.status, 400)
        self.assertTrue(caught.exception.errors)
        self.assertIn("repeats", str(caught.exception))

    def test_the_run_is_listed_with_its_tasks(self) -> None:
        self.assertIn(run["run_id"], [r["run_id"] for r in client.list_runs(page_size=1)])
        self.assertEqual(len(list(client.list_tasks(run_id=run["run_id"], page_size=3))), 8)


if __name__ == "__main__":
    unittest.main()
