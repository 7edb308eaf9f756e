"""Where the runner, its entry script and the stand-in live; puts the runner package on sys.path."""

import sys
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent
RUNNER_DIR = TESTS_DIR.parent
ENTRY_SCRIPT = RUNNER_DIR / "bin" / "aiopslab-runner"
STANDIN_SOURCE = TESTS_DIR / "standin"

if str(RUNNER_DIR) not in sys.path:
    sys.path.insert(0, str(RUNNER_DIR))
