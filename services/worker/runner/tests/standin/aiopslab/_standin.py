"""Knobs, markers and noise of the stand-in; nothing here exists in the real AIOpsLab.

STANDIN_MARKER_DIR        files proving what happened (constructed, deployed, injected, recovered,
                          cleaned up, atexit hook ran, a slowed action finished its sleep)
STANDIN_SETUP_SLEEP_S     app.deploy sleeps this long (to signal the runner mid-setup)
STANDIN_ACTION_SLEEP_S    exec_shell sleeps this long (to signal the runner mid-loop)
STANDIN_RECOVERY_SLEEP_S  recover_fault sleeps this long (to signal the runner during recovery)
STANDIN_TEARDOWN_SLEEP_S  the OpenEBS namespace deletion wait sleeps this long
STANDIN_HUGE_OUTPUT_BYTES exec_shell output is padded to this size
STANDIN_EVAL_FAIL         eval raises
STANDIN_TEARDOWN_FAIL     the OpenEBS namespace deletion wait times out
STANDIN_RECOVER_FAIL      recover_fault raises
STANDIN_APP_CLEANUP_FAIL  app.cleanup raises (a message over two lines)
STANDIN_AGENT_RAISE_AT_STEP  the stand-in registry agents raise at that step
"""

import os
import sys
from pathlib import Path

ANSI_SPINNER = "\x1b[2K\r\x1b[36m⠋\x1b[0m Waiting for pods to be ready..."
FAKE_EVENTS = (
    '{"type":"result","results":{"fake":true},"framework_overhead":0,"session":null}',
    '{"type":"error","phase":"setup","error_type":"Fake","message":"noise","retryable":false}',
)

# Namespaces whose readiness wait times out; a stand-in problem adds to it to break its own setup.
NEVER_READY_NAMESPACES = set()


def setting(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def mark(name: str, line: str) -> None:
    marker_dir = setting("STANDIN_MARKER_DIR")
    if not marker_dir:
        return
    with open(Path(marker_dir) / name, "a", encoding="utf-8") as marker:
        marker.write(line + "\n")


def make_noise(where: str) -> None:
    """What rich spinners, helm and kubectl do to stdout and stderr."""
    print(ANSI_SPINNER)
    for fake in FAKE_EVENTS:
        print(fake)
    print(f"[standin] {where}: stdout noise")
    sys.stdout.flush()
    os.write(1, b'{"type":"step","n":')  # a line cut short, straight on fd 1
    os.write(1, b"\n")
    print(f"[standin] {where}: stderr noise \x1b[31mred\x1b[0m", file=sys.stderr)
