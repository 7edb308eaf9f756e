"""Python client and CLI for the AIOpsLab task service (standard library only)."""
from .client import Client, DEFAULT_URL
from .errors import AiopslabTasksError, ApiConnectionError, ApiError, MissingExtraError, RunWaitTimeout
from .tables import ResultsTable, TaskExport

__all__ = [
    "Client",
    "DEFAULT_URL",
    "AiopslabTasksError",
    "ApiError",
    "ApiConnectionError",
    "RunWaitTimeout",
    "MissingExtraError",
    "ResultsTable",
    "TaskExport",
]
__version__ = "0.1.0"
