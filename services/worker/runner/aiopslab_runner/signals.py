"""SIGTERM becomes SystemExit in the main thread, so AIOpsLab's atexit fault recovery runs.

The worker sends SIGTERM on timeout or cancel and SIGKILL after a grace period. Only the first
SIGTERM raises: a second one arriving while the atexit hook recovers the injected fault would
abort that recovery and leave the fault in the cluster.
"""

import signal


class TerminatedBySignal(SystemExit):
    error_type = "Terminated"

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum

    def __str__(self) -> str:
        return f"runner received {signal.Signals(self.signum).name}"


class TerminationHandler:
    def __init__(self) -> None:
        self.fired = False

    def install(self) -> "TerminationHandler":
        signal.signal(signal.SIGTERM, self._handle)
        return self

    def _handle(self, signum: int, _frame: object) -> None:
        if self.fired:
            return
        self.fired = True
        raise TerminatedBySignal(signum)
