"""What upstream's `gpt` agent sends and keeps, at the pinned commit; the `openai_compatible` agent
starts from these. tests/test_upstream_gpt_parity.py reads them back out of upstream's source.

- Sampling: `clients/utils/llm.py`, `GPTClient.inference`'s `chat.completions.create(...)`.
  Its `timeout=60` is a client option, not part of the request body, and is not copied: the
  runner's client has its own timeout and retries (chat_completions.py).
- History: `clients/gpt.py`, `trim_history_to_token_limit(history, max_tokens=120000,
  model="gpt-4")` with `count_message_tokens`'s 4 tokens of overhead per message, applied by
  `GPTAgent.get_action` before every request.
"""

GPT_SAMPLING_DEFAULTS = {
    "max_tokens": 1024,
    "temperature": 0.5,
    "top_p": 0.95,
    "frequency_penalty": 0.0,
    "presence_penalty": 0.0,
    "n": 1,
    "stop": [],
}

HISTORY_TOKEN_LIMIT = 120000
TOKENIZER_MODEL = "gpt-4"
MESSAGE_OVERHEAD_TOKENS = 4
