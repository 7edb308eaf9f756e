"""What run_results and export_run return: plain data, with optional pandas / datasets views."""
from __future__ import annotations

import importlib
import json
from typing import Any, Dict, Iterable, Iterator, List, Optional, TextIO

from .errors import MissingExtraError


def _optional(package: str, feature: str) -> Any:
    try:
        return importlib.import_module(package)
    except ImportError:
        raise MissingExtraError(package, feature) from None


def records_to_pandas(records: Iterable[Dict[str, Any]], flatten: bool = False) -> Any:
    """A pandas DataFrame of the records; `flatten` spreads nested dicts into `a.b` columns."""
    pandas = _optional("pandas", "to_pandas()")
    rows = list(records)
    if flatten:
        return pandas.json_normalize(rows)
    return pandas.DataFrame.from_records(rows)


def records_to_hf_dataset(records: Iterable[Dict[str, Any]]) -> Any:
    """A Hugging Face `datasets.Dataset` of the records."""
    datasets = _optional("datasets", "to_hf_dataset()")
    return datasets.Dataset.from_list(list(records))


class ResultsTable(dict):
    """GET /runs/{id}/results as a dict (run_id, name, status, repeats, counts, rows, definitions)."""

    @property
    def rows(self) -> List[Dict[str, Any]]:
        return list(self.get("rows") or [])

    def to_pandas(self) -> Any:
        """One DataFrame row per agent × task type (and 'all'); pass_hat_k spread into pass_hat_k.<k> columns."""
        return records_to_pandas(self.rows, flatten=True)

    def to_hf_dataset(self) -> Any:
        return records_to_hf_dataset(self.rows)


class TaskExport:
    """An iterator of exported task dicts, read from the NDJSON stream one line at a time.

    It can be consumed once. Close it (or use `with`) to stop the download early.
    """

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines

    def __iter__(self) -> "TaskExport":
        return self

    def __next__(self) -> Dict[str, Any]:
        for line in self._lines:
            if line.strip():
                return json.loads(line)
        raise StopIteration

    def close(self) -> None:
        close = getattr(self._lines, "close", None)
        if close:
            close()

    def __enter__(self) -> "TaskExport":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def write_jsonl(self, out: TextIO) -> int:
        """Copies the stream to `out` (one JSON object per line); returns the number of tasks written."""
        written = 0
        for task in self:
            out.write(json.dumps(task, ensure_ascii=False) + "\n")
            written += 1
        return written

    def to_pandas(self, flatten: bool = False) -> Any:
        return records_to_pandas(self, flatten=flatten)

    def to_hf_dataset(self) -> Any:
        return records_to_hf_dataset(self)

    def to_list(self) -> List[Dict[str, Any]]:
        return list(self)


def as_table(value: Optional[Dict[str, Any]]) -> ResultsTable:
    return ResultsTable(value or {})
