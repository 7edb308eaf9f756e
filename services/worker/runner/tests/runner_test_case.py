"""Base class of the end-to-end tests: a fresh stand-in lab per test, runner helpers, assertions."""

import unittest
from typing import Optional

from runner_process import RunnerProcess, RunResult
from standin_lab import StandinLab


class RunnerTestCase(unittest.TestCase):
    def setUp(self) -> None:
        self.lab = StandinLab()
        self.addCleanup(self.lab.cleanup)

    def start(self, spec: Optional[dict] = None, args=(), protocol_fd: bool = True, stdin_pipe: bool = False, **env: str) -> RunnerProcess:
        return RunnerProcess(self.lab.env(spec, **env), args=args, protocol_fd=protocol_fd, cwd=str(self.lab.root), stdin_pipe=stdin_pipe)

    def run_runner(self, spec: Optional[dict] = None, args=(), protocol_fd: bool = True, **env: str) -> RunResult:
        return self.start(spec, args, protocol_fd, **env).finish()

    def assert_single_error(self, result: RunResult, phase: str, error_type: str, retryable: bool) -> dict:
        error = result.only("error")
        self.assertEqual((error["phase"], error["error_type"], error["retryable"]), (phase, error_type, retryable), error)
        self.assertEqual(result.types()[-1], "error", "the error is the last event")
        return error
