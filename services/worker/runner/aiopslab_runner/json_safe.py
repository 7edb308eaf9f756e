"""Turns whatever AIOpsLab returns (pydantic items, enums, numpy numbers, paths) into plain JSON.

JSON.parse on the worker side rejects NaN and Infinity, so non-finite floats become null; anything
unknown becomes its str() rather than failing the whole event.
"""

import dataclasses
import datetime
import enum
import math
import uuid
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

_CYCLE = "<cycle>"


def to_json_safe(value: Any) -> Any:
    return _convert(value, active=set())


def _convert(value: Any, active: set) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, (Mapping, list, tuple, set, frozenset)):
        return _convert_container(value, active)
    return _convert_object(value, active)


def _convert_container(value: Any, active: set) -> Any:
    if id(value) in active:
        return _CYCLE
    active.add(id(value))
    try:
        if isinstance(value, Mapping):
            return {_key(key): _convert(item, active) for key, item in value.items()}
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return [_convert(item, active) for item in items]
    finally:
        active.discard(id(value))


def _convert_object(value: Any, active: set) -> Any:
    if callable(getattr(value, "model_dump", None)):
        return _convert(value.model_dump(), active)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _convert(dataclasses.asdict(value), active)
    if isinstance(value, (PurePath, uuid.UUID)):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if _is_numpy_like(value):
        return _convert(value.tolist(), active)
    return str(value)


def _is_numpy_like(value: Any) -> bool:
    return callable(getattr(value, "tolist", None)) and hasattr(value, "dtype")


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, enum.Enum):
        return key.name
    return str(key)
