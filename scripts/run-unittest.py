"""`python3 -m unittest discover -s tests`, plus a summary for scripts/run-tests.js.

Usage: run-unittest.py SUMMARY_FILE (run from the suite's directory). Prints unittest's own output;
writes the counts and the ids of the tests that were skipped or expected to fail as JSON to
SUMMARY_FILE, since unittest's closing line names neither. Exits 0 only when the run succeeded.
"""

import json
import os
import sys
import unittest


def main(summary_file: str) -> int:
    sys.path[0] = os.getcwd()  # as under `python3 -m unittest`: the suite's directory, not scripts/
    suite = unittest.defaultTestLoader.discover("tests")
    result = unittest.TextTestRunner().run(suite)
    summary = {
        "ran": result.testsRun,
        "failures": len(result.failures),
        "errors": len(result.errors),
        "unexpected_successes": len(result.unexpectedSuccesses),
        "skipped": [f"{test.id()} ({reason})" for test, reason in result.skipped],
        "expected_failures": [f"{test.id()} (expected failure)" for test, _ in result.expectedFailures],
    }
    with open(summary_file, "w", encoding="utf-8") as out:
        json.dump(summary, out)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
