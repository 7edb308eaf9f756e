"""A minimal client for an OpenAI-compatible `POST <base_url>/chat/completions` (stdlib only).

No response cache on purpose: RL rollouts need fresh samples for identical prompts. Transient
failures (connection errors, timeouts, 429 and 5xx) are retried a few times, because failing the
step throws away minutes of cluster setup; whatever still fails becomes a retryable error.
"""

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable, Optional

from aiopslab_runner.errors import LLMRequestError

REQUEST_TIMEOUT_S = 120.0
RETRY_DELAYS_S = (1.0, 3.0)
TRANSIENT_HTTP_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504})
USAGE_FIELDS = ("prompt_tokens", "completion_tokens", "total_tokens")
_ERROR_BODY_SNIPPET = 500


@dataclass(frozen=True)
class Completion:
    content: str
    usage: Optional[dict]


class _TransientFailure(Exception):
    pass


class ChatCompletionsClient:
    def __init__(
        self,
        base_url: str,
        api_key: Optional[str],
        timeout_s: float = REQUEST_TIMEOUT_S,
        retry_delays_s: tuple = RETRY_DELAYS_S,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._display_url = _without_credentials(self._url)
        self._api_key = api_key
        self._timeout_s = timeout_s
        self._retry_delays_s = retry_delays_s
        self._sleep = sleep

    def complete(self, body: dict) -> Completion:
        delays = iter(self._retry_delays_s)
        while True:
            try:
                return self._post_once(body)
            except _TransientFailure as failure:
                delay = next(delays, None)
                if delay is None:
                    attempts = len(self._retry_delays_s) + 1
                    raise LLMRequestError(f"{failure} (gave up after {attempts} attempts)") from None
                self._sleep(delay)

    def _post_once(self, body: dict) -> Completion:
        request = urllib.request.Request(
            self._url, data=json.dumps(body).encode(), headers=self._headers(), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout_s) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            message = f"POST {self._display_url} returned HTTP {exc.code}: {_snippet(exc.read())}"
            if exc.code in TRANSIENT_HTTP_STATUSES:
                raise _TransientFailure(message) from None
            raise LLMRequestError(message) from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise _TransientFailure(f"POST {self._display_url} failed: {reason}") from None
        return parse_completion(payload)

    def _headers(self) -> dict:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return headers


def parse_completion(payload: bytes) -> Completion:
    try:
        document = json.loads(payload)
        message = document["choices"][0]["message"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise LLMRequestError(f"unexpected chat completion response: {_snippet(payload)}") from None
    content = message.get("content") if isinstance(message, dict) else None
    return Completion(content=content if isinstance(content, str) else "", usage=_usage(document))


def _usage(document: Any) -> Optional[dict]:
    usage = document.get("usage") if isinstance(document, dict) else None
    if not isinstance(usage, dict):
        return None
    picked = {name: usage[name] for name in USAGE_FIELDS if isinstance(usage.get(name), int)}
    return picked or None


def _snippet(payload: bytes) -> str:
    return payload[:_ERROR_BODY_SNIPPET].decode("utf-8", errors="replace")


def _without_credentials(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
