"""Upstream gpt agent's history trimming (`clients/gpt.py::trim_history_to_token_limit`).

The newest message is always kept (cut to fit if it alone is too long); earlier messages are
added newest first until the next one would not fit. Everything older is left out, the system
prompt included, exactly as upstream does. Each message counts its content plus 4 tokens.
"""

from typing import List

from aiopslab_runner.token_counting import TokenCounter
from aiopslab_runner.upstream_gpt_defaults import MESSAGE_OVERHEAD_TOKENS


def message_tokens(message: dict, counter: TokenCounter) -> int:
    return MESSAGE_OVERHEAD_TOKENS + counter.count(message.get("content", ""))


def trim_history(history: List[dict], max_tokens: int, counter: TokenCounter) -> List[dict]:
    last = history[-1]
    total = message_tokens(last, counter)
    if total > max_tokens:
        return [{"role": last["role"], "content": counter.cut(last["content"], max_tokens - MESSAGE_OVERHEAD_TOKENS)}]
    kept = [last]
    for message in reversed(history[:-1]):
        tokens = message_tokens(message, counter)
        if total + tokens > max_tokens:
            break
        kept.insert(0, message)
        total += tokens
    return kept
