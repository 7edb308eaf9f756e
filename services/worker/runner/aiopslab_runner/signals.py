"""SIGTERM becomes SystemExit in the main thread, so AIOpsLab's atexit fault recovery runs.

The worker sends SIGTERM on timeout or cancel and SIGKILL after a grace period. Only the first
SIGTERM raises: a later one arriving while the atexit hook recovers the injected fault would
abort that recovery and leave the fault in the cluster.
"""

import contextlib
import signal
from typing import Iterator

_HELD_SIGNALS = {signal.SIGTERM, signal.SIGINT}


class TerminatedBySignal(SystemExit):
    error_type = "Terminated"

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum

    def __str__(self) -> str:
        return f"runner received {signal.Signals(self.signum).name}"


class TerminationHandler:
    def __init__(self) -> None:
        self._raising = True

    def install(self) -> "TerminationHandler":
        signal.signal(signal.SIGTERM, self._handle)
        return self

    def stop_raising(self) -> None:
        """From now on only exit and the atexit hooks are left; SIGTERM must not cut them short."""
        self._raising = False

    def _handle(self, signum: int, _frame: object) -> None:
        if not self._raising:
            return
        self._raising = False
        raise TerminatedBySignal(signum)


@contextlib.contextmanager
def termination_held() -> Iterator[None]:
    """Delays SIGTERM/SIGINT until the block is done; a pending one is raised on leaving it.

    Nests: leaving restores the mask found on entry, so an inner block never unblocks early.
    """
    previous_mask = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)
