"""The `openai_compatible` agent: upstream's `gpt` agent (clients/gpt.py) against any
OpenAI-compatible chat endpoint.

As upstream: the full conversation is kept, and each request carries it trimmed to the history
token limit (history_trimming.py) with upstream's sampling values unless agent_config overrides
them. Unlike upstream: no response cache, and usage is reported per step.
"""

import copy
from typing import Optional

from aiopslab_runner.agent_config import OpenAICompatibleAgentConfig
from aiopslab_runner.chat_completions import ChatCompletionsClient
from aiopslab_runner.history_trimming import trim_history
from aiopslab_runner.prompt_templates import render_system_message
from aiopslab_runner.token_counting import TokenCounter
from aiopslab_runner.upstream_gpt_defaults import GPT_SAMPLING_DEFAULTS


class OpenAICompatibleAgent:
    def __init__(self, config: OpenAICompatibleAgentConfig, client: ChatCompletionsClient, counter: TokenCounter) -> None:
        self._config = config
        self._client = client
        self._counter = counter
        self.history: list = []
        self.system_message: Optional[str] = None
        self.task_message: Optional[str] = None
        self.last_usage: Optional[dict] = None

    def init_context(self, problem_desc: str, instructions: str, apis: dict) -> None:
        self.system_message = render_system_message(self._config.prompt_template, problem_desc, apis)
        self.task_message = instructions
        self.history = [
            {"role": "system", "content": self.system_message},
            {"role": "user", "content": self.task_message},
        ]

    async def get_action(self, input: str) -> str:
        self.last_usage = None
        self.history.append({"role": "user", "content": input})
        # Deliberately a blocking call on the main thread: a SIGTERM then interrupts it at once,
        # whereas a worker thread would keep asyncio.run's shutdown waiting for the request.
        completion = self._client.complete(self.request_body())
        self.history.append({"role": "assistant", "content": completion.content})
        self.last_usage = completion.usage
        return completion.content

    def request_body(self) -> dict:
        """Upstream's sampling values, then agent_config's fields, then extra_body."""
        config = self._config
        body = copy.deepcopy(GPT_SAMPLING_DEFAULTS)
        chosen = {"temperature": config.temperature, "top_p": config.top_p, "max_tokens": config.max_tokens}
        body.update({name: value for name, value in chosen.items() if value is not None})
        body.update(config.extra_body)
        messages = trim_history(self.history, config.history_token_limit, self._counter)
        body.update(model=config.model, messages=messages)
        return body
