"""Reads the AIOpsLab session off the orchestrator, as plain JSON for the result event."""

from typing import Any, Optional

from aiopslab_runner.json_safe import to_json_safe


def session_history(orchestrator: Any) -> list:
    session = getattr(orchestrator, "session", None)
    return list(getattr(session, "history", None) or [])


def export_session(orchestrator: Any) -> tuple[Optional[dict], Optional[str]]:
    """Returns the session's to_dict() (JSON-safe) and a warning when only the trace was available."""
    session = getattr(orchestrator, "session", None)
    if session is None:
        return None, "the orchestrator has no session to report"
    try:
        exported = session.to_dict()
    except Exception as exc:  # the result matters more than the session summary: fall back to the trace
        trace = to_json_safe(session_history(orchestrator))
        return {"trace": trace}, f"session.to_dict() failed ({type(exc).__name__}: {exc}); reporting the trace only"
    return to_json_safe(exported), None
