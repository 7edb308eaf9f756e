"""The protocol channel: a file descriptor that carries nothing but JSON lines.

AIOpsLab, helm and kubectl write freely to stdout, so the protocol never shares it: either the
worker hands over a dedicated fd (PROTOCOL_FD), or the runner keeps a private copy of the original
stdout and points fd 1 at stderr. Either way this must happen before aiopslab is imported.
"""

import os
import sys
from typing import Mapping

from aiopslab_runner.errors import UsageError
from aiopslab_runner.signals import termination_held

_STANDARD_FDS = (0, 1, 2)


class ProtocolChannel:
    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._broken = False

    def write_line(self, line: bytes) -> None:
        """Writes one complete line; a termination signal is held until the line is out."""
        if self._broken:
            return
        with termination_held():
            try:
                view = memoryview(line)
                while view:
                    written = os.write(self._fd, view)
                    view = view[written:]
            except BrokenPipeError:
                self._broken = True
                print("aiopslab-runner: protocol reader went away; events are dropped", file=sys.stderr)


def open_protocol_channel(environ: Mapping[str, str]) -> ProtocolChannel:
    raw_fd = environ.get("PROTOCOL_FD", "").strip()
    if not raw_fd:
        return ProtocolChannel(_take_over_stdout())
    fd = _parse_protocol_fd(raw_fd)
    # helm, kubectl and docker children must not hold the pipe open after the runner exits,
    # or the worker would never see end-of-file.
    os.set_inheritable(fd, False)
    return ProtocolChannel(fd)


def _parse_protocol_fd(raw_fd: str) -> int:
    try:
        fd = int(raw_fd)
    except ValueError:
        raise UsageError(f"PROTOCOL_FD must be a file descriptor number, got {raw_fd!r}") from None
    if fd in _STANDARD_FDS:
        raise UsageError(f"PROTOCOL_FD must not be {fd}: stdin/stdout/stderr carry logs, not protocol")
    try:
        os.fstat(fd)
    except OSError:
        raise UsageError(f"PROTOCOL_FD {fd} is not an open file descriptor") from None
    return fd


def _take_over_stdout() -> int:
    sys.stdout.flush()
    protocol_fd = os.dup(1)
    os.dup2(2, 1)
    return protocol_fd
