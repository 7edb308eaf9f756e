"""Encodes one event as one protocol line, within the protocol's 1 MiB line limit.

A result can carry a whole session trace (kubectl describe, service logs). When a line would be
too long, the longest strings are cut to a common length, found by bisection, so every event still
arrives as valid JSON; the full session stays in the session JSON file under results_dir.
"""

import json
from typing import Any

from aiopslab_runner.json_safe import to_json_safe

MAX_LINE_BYTES = 1024 * 1024
# Strings this close to the cap are kept whole: cutting them would not save more than the marker costs.
_MARKER_ALLOWANCE = 40


class EventTooLarge(Exception):
    pass


def encode_event(event: dict, max_bytes: int = MAX_LINE_BYTES) -> tuple[bytes, bool]:
    """Returns the line (newline included) and whether strings had to be truncated."""
    safe = to_json_safe(event)
    line = _dump(safe)
    if len(line) <= max_bytes:
        return line, False
    low, high = 0, _longest_string(safe)
    if len(_dump(_cap_strings(safe, low))) > max_bytes:
        raise EventTooLarge(f"{event.get('type')} event exceeds {max_bytes} bytes even with empty strings")
    while low < high:
        middle = (low + high + 1) // 2
        if len(_dump(_cap_strings(safe, middle))) <= max_bytes:
            low = middle
        else:
            high = middle - 1
    return _dump(_cap_strings(safe, low)), True


def _dump(value: Any) -> bytes:
    # ensure_ascii keeps lone surrogates (undecodable process output) encodable.
    return (json.dumps(value, ensure_ascii=True, allow_nan=False, separators=(",", ":")) + "\n").encode()


def _longest_string(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return max((_longest_string(item) for item in value.values()), default=0)
    if isinstance(value, list):
        return max((_longest_string(item) for item in value), default=0)
    return 0


def _cap_strings(value: Any, cap: int) -> Any:
    if isinstance(value, str):
        if len(value) <= cap + _MARKER_ALLOWANCE:
            return value
        return f"{value[:cap]}...[truncated {len(value) - cap} chars]"
    if isinstance(value, dict):
        return {key: _cap_strings(item, cap) for key, item in value.items()}
    if isinstance(value, list):
        return [_cap_strings(item, cap) for item in value]
    return value
