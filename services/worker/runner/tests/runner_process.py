"""Runs the real entry script as the worker does: fd 3 a pipe, stdout and stderr captured apart.

A tiny launcher moves the pipe onto fd 3 and execs the entry script: sh redirections only reach
single-digit fds, and under pytest the pipe lands above 9.
"""

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Optional

from runner_paths import ENTRY_SCRIPT

DEFAULT_TIMEOUT_S = 20.0
_EXEC_WITH_FD_3 = (
    "import os, sys\n"
    "fd = int(sys.argv[1])\n"
    "if fd != 3:\n"
    "    os.dup2(fd, 3)\n"
    "    os.close(fd)\n"
    "os.execv(sys.argv[2], sys.argv[2:])\n"
)


@dataclass
class RunResult:
    returncode: int
    protocol_lines: list
    stdout: str
    stderr: str
    events: list = field(default_factory=list)

    def of_type(self, event_type: str) -> list:
        return [event for event in self.events if event.get("type") == event_type]

    def only(self, event_type: str) -> dict:
        matching = self.of_type(event_type)
        if len(matching) != 1:
            raise AssertionError(f"expected one {event_type} event, got {len(matching)}: {self.events}")
        return matching[0]

    def types(self) -> list:
        return [event["type"] for event in self.events]


class _LineReader(threading.Thread):
    def __init__(self, stream) -> None:
        super().__init__(daemon=True)
        self._stream = stream
        self.arrivals: queue.Queue = queue.Queue()
        self.lines: list = []

    def run(self) -> None:
        for raw in iter(self._stream.readline, b""):
            line = raw.decode("utf-8", errors="replace")
            self.lines.append(line)
            self.arrivals.put(line)
        self._stream.close()

    def wait_for(self, predicate, what: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.arrivals.get(timeout=0.05)
            except queue.Empty:
                continue
            if predicate(line):
                return line
        raise AssertionError(f"{what} did not arrive within {timeout}s")


class RunnerProcess:
    def __init__(
        self, env: dict, args=(), protocol_fd: bool = True, cwd: Optional[str] = None, stdin_pipe: bool = False,
        interpreter: Optional[str] = None,
    ) -> None:
        """`interpreter`: the Python that runs the entry script (default: its shebang's)."""
        stdin = subprocess.PIPE if stdin_pipe else None
        entry = [interpreter, str(ENTRY_SCRIPT)] if interpreter else [str(ENTRY_SCRIPT)]
        if protocol_fd:
            read_fd, write_fd = os.pipe()
            command = [sys.executable, "-c", _EXEC_WITH_FD_3, str(write_fd), *entry, *args]
            self.process = subprocess.Popen(
                command, env={**env, "PROTOCOL_FD": "3"}, cwd=cwd, stdin=stdin,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(write_fd,),
            )
            os.close(write_fd)
            self._protocol = _LineReader(os.fdopen(read_fd, "rb"))
            self._stdout: Optional[_LineReader] = _LineReader(self.process.stdout)
        else:
            self.process = subprocess.Popen(
                [*entry, *args], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            self._protocol = _LineReader(self.process.stdout)
            self._stdout = None
        self._stderr = _LineReader(self.process.stderr)
        self._log_stream = self._stdout or self._stderr
        for reader in self._readers():
            reader.start()

    def wait_for_event(self, event_type: str, timeout: float = DEFAULT_TIMEOUT_S) -> dict:
        line = self._protocol.wait_for(lambda l: json.loads(l).get("type") == event_type, f"a {event_type} event", timeout)
        return json.loads(line)

    def wait_for_output(self, text: str, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        """Waits for AIOpsLab's own output (stdout, or stderr when stdout carries the protocol)."""
        self._log_stream.wait_for(lambda line: text in line, repr(text), timeout)

    def send_stdin(self, text: str) -> None:
        self.process.stdin.write(text.encode())
        self.process.stdin.flush()

    def close_stdin(self) -> None:
        self.process.stdin.close()

    def terminate(self) -> None:
        self.process.send_signal(signal.SIGTERM)

    def finish(self, timeout: float = DEFAULT_TIMEOUT_S) -> RunResult:
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            returncode = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        for reader in self._readers():
            reader.join(timeout=5)
        protocol_lines = list(self._protocol.lines)
        return RunResult(
            returncode=returncode,
            protocol_lines=protocol_lines,
            stdout="".join((self._stdout or self._protocol).lines),
            stderr="".join(self._stderr.lines),
            events=[json.loads(line) for line in protocol_lines],
        )

    def _readers(self) -> list:
        return [reader for reader in (self._protocol, self._stdout, self._stderr) if reader is not None]
