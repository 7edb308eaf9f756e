"""HTTP over urllib: JSON in and out, bearer token, problem+json errors, retries for GETs."""
from __future__ import annotations

import json
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Dict, Iterator, Mapping, Optional

from .errors import ApiConnectionError, ApiError

# Statuses after which an idempotent GET is tried again (the server said "later").
RETRY_STATUSES = (429, 502, 503, 504)
MAX_RETRY_AFTER_S = 30.0
USER_AGENT = "aiopslab-tasks-python/0.1"


def retry_delay(attempt: int, retry_after: Optional[str], base: float = 0.5, cap: float = 8.0) -> float:
    """Seconds to wait before retry `attempt` (1-based): Retry-After when given, else capped jittered 2^n."""
    if retry_after:
        try:
            return min(max(float(retry_after), 0.0), MAX_RETRY_AFTER_S)
        except ValueError:
            pass  # an HTTP date: fall back to backoff
    return min(cap, base * 2 ** (attempt - 1)) * (0.5 + random.random() / 2)


def build_query(params: Optional[Mapping[str, Any]]) -> str:
    """`?a=1&b=x` from the non-None values; booleans as true/false."""
    if not params:
        return ""
    pairs = [(k, ("true" if v else "false") if isinstance(v, bool) else str(v)) for k, v in params.items() if v is not None]
    return "?" + urllib.parse.urlencode(pairs) if pairs else ""


class Transport:
    def __init__(self, base_url: str, token: Optional[str], timeout: float = 30.0, retries: int = 4,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.retries = retries
        self.sleep = sleep

    def url(self, path: str, params: Optional[Mapping[str, Any]] = None) -> str:
        return f"{self.base_url}{path}{build_query(params)}"

    def _request(self, method: str, url: str, body: Any, headers: Optional[Mapping[str, str]]) -> urllib.request.Request:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        all_headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if data is not None:
            all_headers["Content-Type"] = "application/json"
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        all_headers.update(headers or {})
        return urllib.request.Request(url, data=data, method=method, headers=all_headers)

    def open(self, method: str, path: str, params: Optional[Mapping[str, Any]] = None, body: Any = None,
             headers: Optional[Mapping[str, str]] = None, timeout: Optional[float] = None):
        """The open response of a 2xx answer (the caller reads and closes it); raises ApiError otherwise.

        GETs are retried on connection errors and on 429/502/503/504 (honouring Retry-After);
        other methods are sent once, because repeating them could do the work twice.
        """
        url = self.url(path, params)
        attempts = self.retries + 1 if method == "GET" else 1
        for attempt in range(1, attempts + 1):
            last = attempt == attempts
            try:
                return urllib.request.urlopen(self._request(method, url, body, headers), timeout=timeout or self.timeout)
            except urllib.error.HTTPError as error:
                raw = error.read()
                error.close()
                if error.code in RETRY_STATUSES and not last:
                    self.sleep(retry_delay(attempt, error.headers.get("Retry-After")))
                    continue
                raise ApiError.from_response(error.code, error.reason, raw, method, url) from None
            except (urllib.error.URLError, ConnectionError, socket.timeout, OSError) as error:
                if not last:
                    self.sleep(retry_delay(attempt, None))
                    continue
                reason = getattr(error, "reason", None) or error
                raise ApiConnectionError(self.base_url, str(reason)) from error
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, params: Optional[Mapping[str, Any]] = None, body: Any = None,
             headers: Optional[Mapping[str, str]] = None) -> Any:
        with self.open(method, path, params, body, headers) as response:
            raw = response.read()
        return json.loads(raw.decode("utf-8")) if raw else None

    def text(self, path: str, params: Optional[Mapping[str, Any]] = None, accept: str = "text/plain") -> str:
        with self.open("GET", path, params, headers={"Accept": accept}) as response:
            return response.read().decode("utf-8")

    def lines(self, path: str, params: Optional[Mapping[str, Any]] = None, headers: Optional[Mapping[str, str]] = None,
              timeout: Optional[float] = None) -> Iterator[str]:
        """The body line by line as it arrives (never the whole body in memory); closes the response at the end."""
        response = self.open("GET", path, params, headers=headers, timeout=timeout)
        try:
            for raw in response:
                yield raw.decode("utf-8").rstrip("\r\n")
        finally:
            response.close()


