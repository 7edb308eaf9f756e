"""Tasks through the library against a live api + worker (demo runner) + history."""
from __future__ import annotations

import unittest
import uuid

from aiopslab_tasks import ApiError, Client
from helpers import ANALYSIS, DETECTION

from live_system import LiveSystem

# POST /tasks requires agent_config (there is no default agent).
AGENT = {"kind": "registry", "name": "gpt"}

system: LiveSystem


def setUpModule() -> None:
    global system
    system = LiveSystem(demo_speed="0").__enter__()


def tearDownModule() -> None:
    system.stop()


class TaskTests(unittest.TestCase):
    def setUp(self) -> None:
        self.client = Client(system.url, system.token)

    def test_a_submitted_task_can_be_fetched_and_its_logs_followed_until_it_ends(self) -> None:
        submitted = self.client.submit_task(problem_id=DETECTION, agent_config=AGENT, max_steps=5, metadata={"test": "follow"})
        self.assertEqual(submitted["status"], "pending")
        lines = list(self.client.follow_logs(submitted["task_id"]))
        seqs = [line["seq"] for line in lines]
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(len(seqs), len(set(seqs)))
        self.assertIn("Session ID: demo-", "\n".join(line["message"] for line in lines))
        task = self.client.get_task(submitted["task_id"])
        self.assertEqual(task["status"], "completed")  # the stream ends only once the task has
        self.assertEqual(task["metadata"], {"test": "follow"})
        self.assertEqual(task["result"]["results"]["Detection Accuracy"], "Correct")
        self.assertEqual([line["seq"] for line in self.client.task_logs(submitted["task_id"])], seqs)

    def test_following_from_a_sequence_number_resumes_after_it(self) -> None:
        task_id = self.client.submit_task(problem_id=DETECTION, agent_config=AGENT)["task_id"]
        everything = list(self.client.follow_logs(task_id))
        rest = list(self.client.follow_logs(task_id, after_seq=everything[2]["seq"]))
        self.assertEqual(rest, everything[3:])

    def test_list_tasks_walks_every_page(self) -> None:
        marker = str(uuid.uuid4())
        answers = self.client.submit_tasks([{"problem_id": ANALYSIS, "agent_config": AGENT, "metadata": {"marker": marker, "i": i}} for i in range(7)])
        submitted = {a["task_id"] for a in answers}
        listed = list(self.client.list_tasks(page_size=3, problem_id=ANALYSIS))
        ids = [t["task_id"] for t in listed]
        self.assertEqual(len(ids), len(set(ids)), "a page repeated a task")
        self.assertTrue(submitted <= set(ids), "a page skipped a task")
        self.assertEqual([t["created_at"] for t in listed], sorted((t["created_at"] for t in listed), reverse=True))

    def test_a_bad_submission_raises_api_error_with_each_field(self) -> None:
        with self.assertRaises(ApiError) as caught:
            self.client.submit_task(problem_id="not a problem id!", max_steps=0)
        error = caught.exception
        self.assertEqual(error.status, 400)
        self.assertEqual(error.title, "Bad Request")
        fields = {e["field"] for e in error.errors}
        self.assertTrue({"problem_id", "max_steps"} <= {f.strip("/").split("/")[-1] for f in fields}, error.errors)
        self.assertIn("max_steps", str(error))
        self.assertIn("400 Bad Request", str(error))
        self.assertTrue(error.request_id)

    def test_an_unknown_task_is_a_404_api_error(self) -> None:
        with self.assertRaises(ApiError) as caught:
            self.client.get_task(str(uuid.uuid4()))
        self.assertEqual(caught.exception.status, 404)

    def test_without_the_token_the_api_answers_401(self) -> None:
        with self.assertRaises(ApiError) as caught:
            Client(system.url, token="").problems()
        self.assertEqual((caught.exception.status, caught.exception.code), (401, "unauthorized"))

    def test_cancelling_a_finished_task_is_a_409(self) -> None:
        task_id = self.client.submit_task(problem_id=DETECTION, agent_config=AGENT)["task_id"]
        list(self.client.follow_logs(task_id))
        with self.assertRaises(ApiError) as caught:
            self.client.cancel_task(task_id)
        self.assertEqual(caught.exception.status, 409)

    def test_the_problem_catalog_filters_by_task_type(self) -> None:
        everything = self.client.problems()
        analysis = self.client.problems(task_type="analysis")
        self.assertIn({"id": DETECTION, "task_type": "detection"}, everything)
        self.assertTrue(analysis)
        self.assertTrue(all(p["task_type"] == "analysis" for p in analysis))
        self.assertLess(len(analysis), len(everything))


if __name__ == "__main__":
    unittest.main()
