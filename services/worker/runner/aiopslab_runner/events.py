"""The runner's events (docs/runner-protocol.md), written one per line on the protocol channel."""

import datetime
import sys
from typing import Any, Optional

from aiopslab_runner.event_encoding import EventTooLarge, encode_event
from aiopslab_runner.protocol import ProtocolChannel


class EventWriter:
    def __init__(self, channel: ProtocolChannel) -> None:
        self._channel = channel
        self.result_emitted = False
        self.error_emitted = False

    def emit(self, event_type: str, **fields: Any) -> None:
        line = self._encode(event_type, fields)
        if line is not None:
            self._channel.write_line(line)

    def log(self, level: str, message: str) -> None:
        self.emit("log", level=level, message=message)

    def metric(self, name: str, value: float, unit: Optional[str] = None) -> None:
        fields = {"name": name, "value": value}
        if unit:
            fields["unit"] = unit
        self.emit("metric", **fields)

    def session_started(self, session_id: str) -> None:
        self.emit("session_started", session_id=session_id)

    def setup_done(self, task_description: Any, instructions: Any, apis: Any, duration_s: float) -> None:
        self.emit(
            "setup_done",
            task_description=task_description,
            instructions=instructions,
            apis=apis if isinstance(apis, dict) else {},
            duration_s=duration_s,
        )

    def step(self, n: int, action: Any, observation: Any, duration_s: float, usage: Optional[dict]) -> None:
        fields = {"n": n, "action": action, "observation": observation, "duration_s": duration_s}
        if usage:
            fields["usage"] = usage
        self.emit("step", **fields)

    def result(self, results: Any, framework_overhead: Any, session: Any, durations: dict) -> None:
        fields = {
            "results": results if isinstance(results, dict) else {"value": results},
            "framework_overhead": framework_overhead if _is_number(framework_overhead) else None,
            "session": session if isinstance(session, dict) else None,
            "durations": durations,
        }
        line = self._encode("result", fields)
        if line is None:
            line = self._encode("result", {**fields, "session": None})
        self.result_emitted = True
        if line is not None:
            self._channel.write_line(line)

    def error(
        self,
        phase: str,
        error_type: str,
        message: str,
        retryable: bool,
        traceback: Optional[str] = None,
        origin: str = "task",
        cluster_touched: Optional[bool] = None,
    ) -> None:
        fields = {"phase": phase, "error_type": error_type, "message": message, "retryable": retryable, "origin": origin}
        if cluster_touched is not None:
            fields["cluster_touched"] = cluster_touched
        if traceback:
            fields["traceback"] = traceback
        self.error_emitted = True
        self.emit("error", **fields)

    def _encode(self, event_type: str, fields: dict) -> Optional[bytes]:
        try:
            line, truncated = encode_event({"type": event_type, "ts": _now_iso(), **fields})
        except EventTooLarge as exc:
            print(f"aiopslab-runner: dropped {event_type} event: {exc}", file=sys.stderr)
            self.log("error", f"dropped a {event_type} event: {exc}")
            return None
        if truncated:
            self.log("warning", f"{event_type} event exceeded the line limit; its longest strings were truncated")
        return line


def _now_iso() -> str:
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
