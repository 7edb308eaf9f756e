"""The pure parts: SSE parsing, backoff, errors, progress and table rendering, CLI arguments."""
from __future__ import annotations

import io
import unittest

from aiopslab_tasks.cli_commands import UsageError
from aiopslab_tasks.cli_runs import parse_agent
from aiopslab_tasks.errors import ApiError, RunWaitTimeout
from aiopslab_tasks.formatting import table
from aiopslab_tasks.progress import ProgressReporter, render_bar
from aiopslab_tasks.sse import parse_events
from aiopslab_tasks.transport import build_query, retry_delay

RUN = {"run_id": "r1", "name": "grid", "status": "running", "task_count": 4,
       "counts": {"pending": 1, "processing": 1, "retrying": 0, "completed": 1, "failed": 1, "timed_out": 0, "cancelled": 0}}


class SseTests(unittest.TestCase):
    def test_events_are_dispatched_on_blank_lines_with_joined_data_and_the_last_id(self) -> None:
        lines = [": keepalive", "", "id: 7", "event: log", "data: {\"a\":", "data: 1}", "", "event: end", "data:{}", "", "data: trailing"]
        events = list(parse_events(lines))
        self.assertEqual([(e.event, e.data, e.id) for e in events], [("log", '{"a":\n1}', "7"), ("end", "{}", "7")])

    def test_an_event_without_data_is_not_dispatched_and_retry_is_read(self) -> None:
        events = list(parse_events(["event: ping", "", "retry: 2500", "data: x", ""]))
        self.assertEqual([(e.event, e.data, e.retry_ms) for e in events], [("message", "x", 2500)])


class TransportPureTests(unittest.TestCase):
    def test_retry_after_wins_and_is_capped_else_backoff_grows_with_jitter(self) -> None:
        self.assertEqual(retry_delay(1, "3"), 3.0)
        self.assertEqual(retry_delay(1, "3600"), 30.0)
        self.assertTrue(0.25 <= retry_delay(1, None) <= 0.5)
        self.assertTrue(2.0 <= retry_delay(4, "Wed, 21 Oct 2015 07:28:00 GMT") <= 4.0)
        self.assertTrue(4.0 <= retry_delay(10, None) <= 8.0)

    def test_query_strings_skip_none_and_spell_booleans_as_the_api_reads_them(self) -> None:
        self.assertEqual(build_query({"follow": True, "cursor": None, "limit": 3}), "?follow=true&limit=3")
        self.assertEqual(build_query({"cursor": None}), "")


class ErrorTests(unittest.TestCase):
    def test_api_error_reads_problem_json_and_lists_each_field(self) -> None:
        raw = b'{"title":"Bad Request","status":400,"code":"validation_failed","detail":"the body is invalid",' \
              b'"errors":[{"field":"max_steps","rule":"minimum","message":"must be >= 1"}],"request_id":"abc"}'
        error = ApiError.from_response(400, "Bad Request", raw, "POST", "http://h/tasks")
        self.assertEqual((error.status, error.code, error.request_id), (400, "validation_failed", "abc"))
        self.assertEqual(str(error), "400 Bad Request (validation_failed) on POST http://h/tasks: the body is invalid\n"
                                     "  - max_steps: must be >= 1 [minimum]")

    def test_api_error_from_a_body_that_is_not_problem_json(self) -> None:
        error = ApiError.from_response(502, "Bad Gateway", b"<html>upstream down</html>", "GET", "http://h/runs")
        self.assertEqual((error.code, error.title, error.errors), ("http_502", "Bad Gateway", []))
        self.assertIn("upstream down", error.detail)

    def test_the_wait_timeout_is_a_timeout_error_that_says_how_far_the_run_got(self) -> None:
        error = RunWaitTimeout("r1", 5, RUN)
        self.assertIsInstance(error, TimeoutError)
        self.assertIn("run r1 is still running after 5 s (2/4 tasks finished)", str(error))


class ProgressTests(unittest.TestCase):
    def test_the_bar_fills_with_finished_tasks(self) -> None:
        self.assertEqual(render_bar(RUN, width=8), "grid [####....] 2/4 finished (completed 1, failed 1), 1 processing, 1 pending · running")

    def test_a_terminal_gets_one_redrawn_line_and_a_pipe_one_line_per_change(self) -> None:
        tty, pipe = io.StringIO(), io.StringIO()
        for stream, is_tty in ((tty, True), (pipe, False)):
            reporter = ProgressReporter(stream, tty=is_tty)
            for run in (RUN, RUN, {**RUN, "status": "finished", "counts": {"completed": 4}}):
                reporter.update(run)
            reporter.close()
        self.assertEqual(tty.getvalue().count("\r"), 2)
        self.assertTrue(tty.getvalue().endswith("\n"))
        self.assertEqual(pipe.getvalue().splitlines(), [
            "run r1: running, 2/4 finished (completed 1, failed 1), 1 processing, 1 pending",
            "run r1: finished, 4/4 finished (completed 4)",
        ])


class CliPureTests(unittest.TestCase):
    def test_tables_align_text_left_and_numbers_right(self) -> None:
        rendered = table([{"agent": "gpt", "rate": 0.5}, {"agent": "scripted", "rate": None}], ("agent", "rate"))
        self.assertEqual(rendered.splitlines(), ["agent     rate", "gpt        0.5", "scripted     -"])

    def test_an_agent_is_a_registry_name_or_a_label_with_its_config(self) -> None:
        self.assertEqual(parse_agent("gpt"), {"label": "gpt", "agent_config": {"kind": "registry", "name": "gpt"}})
        self.assertEqual(parse_agent('x={"kind": "scripted", "actions": ["submit()"]}')["agent_config"]["kind"], "scripted")
        with self.assertRaises(UsageError):
            parse_agent("x={oops")


if __name__ == "__main__":
    unittest.main()
