"""The `openai_compatible` agent: a conversation with any OpenAI-compatible chat endpoint."""

from typing import Optional

from aiopslab_runner.agent_config import OpenAICompatibleAgentConfig
from aiopslab_runner.chat_completions import ChatCompletionsClient
from aiopslab_runner.prompt_templates import render_system_message


class OpenAICompatibleAgent:
    def __init__(self, config: OpenAICompatibleAgentConfig, client: ChatCompletionsClient) -> None:
        self._config = config
        self._client = client
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
        completion = self._client.complete(self._request_body())
        self.history.append({"role": "assistant", "content": completion.content})
        self.last_usage = completion.usage
        return completion.content

    def _request_body(self) -> dict:
        sampling = {
            "temperature": self._config.temperature,
            "top_p": self._config.top_p,
            "max_tokens": self._config.max_tokens,
        }
        body = {name: value for name, value in sampling.items() if value is not None}
        body.update(self._config.extra_body)
        body.update(model=self._config.model, messages=list(self.history))
        return body

