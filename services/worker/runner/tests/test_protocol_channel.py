import json
import unittest

import runner_paths  # noqa: F401  (puts the runner package on sys.path)
from runner_test_case import RunnerTestCase

from aiopslab_runner.event_encoding import MAX_LINE_BYTES

KNOWN_TYPES = {"log", "session_started", "setup_done", "step", "metric", "result", "error", "problems"}


class ProtocolChannelTest(RunnerTestCase):
    def test_aiopslab_noise_on_stdout_never_reaches_the_protocol_fd(self):
        result = self.run_runner()

        self.assertEqual(result.returncode, 0, result.stderr)
        for line in result.protocol_lines:
            self.assertTrue(line.endswith("\n"))
            self.assertIn(json.loads(line)["type"], KNOWN_TYPES)
        self.assertNotIn({"fake": True}, [e.get("results") for e in result.events])
        self.assertIn('{"type":"result","results":{"fake":true}', result.stdout)
        self.assertIn("\x1b[2K", result.stdout)
        self.assertIn("Session ID:", result.stdout)
        self.assertIn("stderr noise", result.stderr)

    def test_without_protocol_fd_stdout_carries_only_protocol_lines_and_noise_moves_to_stderr(self):
        result = self.run_runner(protocol_fd=False)

        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("result", result.types())
        self.assertNotIn({"fake": True}, [e.get("results") for e in result.events])
        self.assertIn('{"type":"result","results":{"fake":true}', result.stderr)
        self.assertIn("Session ID:", result.stderr)

    def test_huge_observations_are_truncated_to_fit_the_line_limit(self):
        result = self.run_runner(STANDIN_HUGE_OUTPUT_BYTES=str(3 * MAX_LINE_BYTES))

        self.assertEqual(result.returncode, 0, result.stderr)
        for line in result.protocol_lines:
            self.assertLessEqual(len(line.encode()), MAX_LINE_BYTES)
        self.assertIn("[truncated", result.of_type("step")[0]["observation"])
        self.assertEqual(result.only("result")["results"]["Detection Accuracy"], "Correct")
        warnings = [e["message"] for e in result.of_type("log") if e["level"] == "warning"]
        self.assertTrue(any(w.startswith("result event exceeded the line limit") for w in warnings), warnings)
        (session_file,) = self.lab.results_dir.glob("*.json")
        self.assertGreater(session_file.stat().st_size, 3 * MAX_LINE_BYTES, "the file keeps everything")


if __name__ == "__main__":
    unittest.main()
