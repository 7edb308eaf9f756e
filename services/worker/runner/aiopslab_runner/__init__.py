"""Runs one AIOpsLab problem and reports it as JSON lines (docs/runner-protocol.md)."""

PROTOCOL_VERSION = 1
