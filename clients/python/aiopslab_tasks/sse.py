"""Server-sent events parsing (the WHATWG event-stream format), pure: lines in, events out."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator, Optional


@dataclass
class ServerSentEvent:
    event: str
    data: str
    id: Optional[str]
    retry_ms: Optional[int] = None


def parse_events(lines: Iterable[str]) -> Iterator[ServerSentEvent]:
    """Events from the stream's lines (without line endings).

    A blank line dispatches the event; `:` lines are comments (keep-alives); several `data:`
    lines join with newlines; an event without data is not dispatched; the last id carries over
    to later events, as a browser's EventSource keeps `lastEventId`.
    """
    event, data, retry_ms = "", [], None
    last_id: Optional[str] = None
    for line in lines:
        if line == "":
            if data:
                yield ServerSentEvent(event or "message", "\n".join(data), last_id, retry_ms)
            event, data, retry_ms = "", [], None
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if field == "event":
            event = value
        elif field == "data":
            data.append(value)
        elif field == "id" and "\0" not in value:
            last_id = value
        elif field == "retry" and value.isdigit():
            retry_ms = int(value)
