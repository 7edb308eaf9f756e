"""Counts and cuts text in tokens for history trimming.

Upstream counts with tiktoken's encoding for "gpt-4". tiktoken is one of AIOpsLab's own
dependencies, so it is there whenever AIOpsLab is; its encoding needs a pre-warmed cache
(TIKTOKEN_CACHE_DIR) or the network. When it cannot be loaded, UTF-8 bytes are counted instead:
a byte-level BPE token is at least one byte, so the byte count never undercounts and the history
still fits, only trimmed harder.
"""

import importlib
from dataclasses import dataclass
from typing import Any, Optional

from aiopslab_runner.upstream_gpt_defaults import TOKENIZER_MODEL


@dataclass(frozen=True)
class TokenCounter:
    encoding: Optional[Any]
    description: str

    def count(self, text: str) -> int:
        if self.encoding is None:
            return len(text.encode("utf-8"))
        return len(self.encoding.encode(text))

    def cut(self, text: str, max_tokens: int) -> str:
        """The longest prefix of `text` that is at most `max_tokens` long."""
        limit = max(max_tokens, 0)
        if self.encoding is None:
            return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
        return self.encoding.decode(self.encoding.encode(text)[:limit])


BYTE_COUNTER = TokenCounter(None, "UTF-8 bytes")


def load_token_counter(model: str = TOKENIZER_MODEL) -> TokenCounter:
    try:
        encoding = importlib.import_module("tiktoken").encoding_for_model(model)
    except Exception as exc:  # not installed, or its encoding not cached and no network
        return TokenCounter(None, f"UTF-8 bytes, an upper bound (tiktoken's {model} encoding is unavailable: {exc})")
    return TokenCounter(encoding, f"tiktoken's {model} encoding, as upstream")
