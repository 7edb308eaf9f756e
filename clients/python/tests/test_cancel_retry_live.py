"""Cancelling, retrying and timing out, against a live system whose demo runner never finishes a
task on its own (DEMO_RUNNER_SPEED=1000: its set-up pause lasts over ten minutes)."""
from __future__ import annotations

import json
import unittest

from aiopslab_tasks import Client, RunWaitTimeout
from helpers import DETECTION, GPT, MITIGATION, run_cli, wait_for
from live_system import LiveSystem

system: LiveSystem
client: Client


def setUpModule() -> None:
    global system, client
    system = LiveSystem(demo_speed="1000").__enter__()
    client = Client(system.url, system.token)


def tearDownModule() -> None:
    system.stop()


def new_run(name: str) -> dict:
    return client.create_run(name=name, problem_ids=[DETECTION, MITIGATION], agents=[{"label": "gpt", "agent_config": GPT}], max_retries=0)


class CancelRetryTests(unittest.TestCase):
    def test_a_cancelled_task_ends_cancelled(self) -> None:
        task_id = client.submit_task(problem_id=DETECTION, agent_config=GPT)["task_id"]
        answer = client.cancel_task(task_id)
        self.assertEqual(answer["task_id"], task_id)
        task = wait_for("the task to end", lambda: (lambda t: t if t["status"] not in ("pending", "processing", "retrying") else None)(client.get_task(task_id)))
        self.assertEqual(task["status"], "cancelled")

    def test_the_cancel_command_cancels_a_task_and_the_tasks_command_lists_it(self) -> None:
        auth = system.cli_auth
        task_id = client.submit_task(problem_id=MITIGATION, agent_config=GPT, metadata={"via": "cli-cancel"})["task_id"]
        cancelled = run_cli(["cancel", task_id, *auth])
        self.assertEqual(cancelled.returncode, 0, cancelled.stderr)
        self.assertTrue(cancelled.stdout.startswith(f"task {task_id}: "))
        wait_for("the task to end", lambda: client.get_task(task_id)["status"] == "cancelled" or None)
        listed = run_cli(["tasks", "--status", "cancelled", "--problem-id", MITIGATION, "--limit", "0", "--json", *auth])
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertIn(task_id, [t["task_id"] for t in json.loads(listed.stdout)])
        again = run_cli(["cancel", task_id, "--json", *auth])
        self.assertEqual(again.returncode, 1)
        self.assertEqual(json.loads(again.stderr)["error"]["status"], 409)

    def test_a_finished_run_whose_cell_ended_cancelled_exits_4_until_a_retry_replaces_it(self) -> None:
        auth = system.cli_auth
        run = client.create_run(name="one cell", problem_ids=[DETECTION], agents=[{"label": "gpt", "agent_config": GPT}])
        [task] = list(client.list_tasks(run_id=run["run_id"]))
        client.cancel_task(task["task_id"])  # the task, not the run: the run ends `finished`
        self.assertEqual(client.wait_run(run["run_id"], timeout=120, progress=False)["status"], "finished")
        watched = run_cli(["run", "watch", run["run_id"], *auth])
        self.assertEqual(watched.returncode, 4, watched.stderr)
        self.assertIn("finished with 1 failed, timed-out or cancelled tasks", watched.stderr)

        replacement = client.retry_task(task["task_id"])
        self.assertNotEqual(replacement["task_id"], task["task_id"])
        self.assertEqual(client.get_task(replacement["task_id"])["retry_of"], task["task_id"])
        self.assertEqual(client.get_run(run["run_id"])["status"], "running")
        client.cancel_run(run["run_id"])

    def test_wait_run_times_out_with_a_timeout_error_and_the_run_goes_on(self) -> None:
        run = new_run("never finishes")
        try:
            with self.assertRaises(TimeoutError) as caught:
                client.wait_run(run["run_id"], timeout=0.3, progress=False)
            self.assertIsInstance(caught.exception, RunWaitTimeout)
            self.assertEqual(caught.exception.run_id, run["run_id"])
            self.assertIn("cancel_run", str(caught.exception))
            self.assertEqual(client.get_run(run["run_id"])["status"], "running")
        finally:
            client.cancel_run(run["run_id"])

    def test_cancel_run_then_retry_run_replaces_every_cancelled_task(self) -> None:
        run = new_run("cancel then retry")
        cancelled = client.cancel_run(run["run_id"])
        self.assertEqual(cancelled["cancelled"] + cancelled["cancel_requested"], 2)
        finished = client.wait_run(run["run_id"], timeout=120, progress=False)
        self.assertEqual((finished["status"], finished["counts"]["cancelled"]), ("cancelled", 2))

        retried = client.retry_run(run["run_id"])
        self.assertEqual(retried["retried"], 2)
        again = client.get_run(run["run_id"])
        self.assertEqual((again["status"], again["task_count"]), ("running", 4))
        self.assertEqual(again["progress"], {"cells": 2, "finished_cells": 0})
        # `run status` counts the grid's cells, as the api does, not the 2 ended tasks of 4
        shown = run_cli(["run", "status", run["run_id"], *system.cli_auth])
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertIn("0/2 cells finished; 4 tasks (cancelled 2)", shown.stdout)
        self.assertNotIn("2/4", shown.stdout)
        replaced = {t["task_id"]: t for t in client.list_tasks(run_id=run["run_id"])}
        self.assertEqual({replaced[i]["retry_of"] is not None for i in retried["task_ids"]}, {True})

        client.cancel_run(run["run_id"])
        self.assertEqual(client.wait_run(run["run_id"], timeout=120, progress=False)["status"], "cancelled")

    def test_run_watch_exits_4_when_the_run_ends_cancelled_or_the_timeout_passes(self) -> None:
        auth = system.cli_auth
        run = new_run("watched")
        timed_out = run_cli(["run", "watch", run["run_id"], "--timeout", "0.3", *auth])
        self.assertEqual(timed_out.returncode, 4, timed_out.stderr)
        self.assertIn("still running", timed_out.stderr)

        cancel = run_cli(["run", "cancel", run["run_id"], "--json", *auth])
        self.assertEqual(cancel.returncode, 0, cancel.stderr)
        watched = run_cli(["run", "watch", run["run_id"], "--json", *auth])
        self.assertEqual(watched.returncode, 4, watched.stderr)
        self.assertIn('"status": "cancelled"', watched.stdout)
        self.assertIn("2 failed, timed-out or cancelled", watched.stderr)

        retry = run_cli(["run", "retry", run["run_id"], *auth])
        self.assertEqual((retry.returncode, retry.stdout.strip()), (0, f"run {run['run_id']}: 2 tasks retried"))
        client.cancel_run(run["run_id"])


if __name__ == "__main__":
    unittest.main()
