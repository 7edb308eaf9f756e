"""The worker's lifeline on stdin (docs/runner-protocol.md, "Lifeline").

The worker keeps the runner's stdin open for the whole run and writes a line
`{"type": "lease", "valid_for_ms": N}` whenever it renews its claim on the task. The runner
stops itself (a SIGTERM to itself, so AIOpsLab's atexit fault recovery runs) when stdin reaches
end of file (the worker died) or when three quarters of the last lease passed without a renewal
(the worker stalled). Either way another worker may claim the task soon, and the same problem
must never run twice at the same time.
"""

import io
import json
import os
import signal
import sys
import threading
import time
from typing import BinaryIO, Callable, Optional

LEASE_FRACTION = 0.75
CHECK_INTERVAL_S = 0.1


class Lifeline:
    def __init__(
        self,
        stream: BinaryIO,
        stop: Optional[Callable[[str], None]] = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._stop = stop or _terminate_self
        self._clock = clock
        self._deadline: Optional[float] = None
        self._lock = threading.Lock()
        self._fired = threading.Event()

    def start(self) -> "Lifeline":
        threading.Thread(target=self._read, name="lifeline-reader", daemon=True).start()
        threading.Thread(target=self._watch, name="lifeline-watchdog", daemon=True).start()
        return self

    def _read(self) -> None:
        for raw in iter(self._stream.readline, b""):
            try:
                message = json.loads(raw)
            except ValueError:
                continue
            if isinstance(message, dict) and message.get("type") == "lease":
                valid_for_ms = message.get("valid_for_ms")
                if isinstance(valid_for_ms, (int, float)) and valid_for_ms >= 0:
                    with self._lock:
                        self._deadline = self._clock() + LEASE_FRACTION * valid_for_ms / 1000
        self._fire("the worker is gone (stdin closed)")

    def _watch(self) -> None:
        while not self._fired.is_set():
            with self._lock:
                lapsed = self._deadline is not None and self._clock() > self._deadline
            if lapsed:
                self._fire("the worker's lease lapsed without renewal")
                return
            self._fired.wait(CHECK_INTERVAL_S)

    def _fire(self, reason: str) -> None:
        if self._fired.is_set():
            return
        self._fired.set()
        self._stop(reason)


def _terminate_self(reason: str) -> None:
    print(f"aiopslab-runner: stopping: {reason}", file=sys.stderr, flush=True)
    os.kill(os.getpid(), signal.SIGTERM)


def start_lifeline_if_requested(environ) -> Optional[Lifeline]:
    """Only a worker sets RUNNER_LIFELINE=stdin; by hand, stdin is a terminal or /dev/null."""
    if environ.get("RUNNER_LIFELINE") != "stdin":
        return None
    # Unbuffered, on its own file object: a daemon thread blocked in sys.stdin.buffer.readline()
    # holds that reader's lock, and the interpreter aborts (SIGABRT) when it must take it at exit.
    return Lifeline(io.FileIO(sys.stdin.fileno(), "rb", closefd=False)).start()
