"""Wraps any agent so each (action, observation) pair becomes one `step` event.

The orchestrator's prompt for call n+1 is the observation of step n followed by "Please take the
next action", so step n is emitted when call n+1 starts. The last step has no following call: its
observation is the n-th `env` item of the session history, read when the loop is over.
"""

import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional

from aiopslab_runner.events import EventWriter

NEXT_ACTION_PROMPT = "Please take the next action"


@dataclass
class _PendingStep:
    n: int
    action: Any
    duration_s: float
    usage: Optional[dict]


class StepRecorder:
    def __init__(self, agent: Any, events: EventWriter, clock: Callable[[], float] = time.monotonic) -> None:
        self._agent = agent
        self._events = events
        self._clock = clock
        self._pending: Optional[_PendingStep] = None
        self.steps_taken = 0

    def __getattr__(self, name: str) -> Any:
        # init_context, system_message, task_message and the like stay the wrapped agent's.
        if name == "_agent":
            raise AttributeError(name)
        return getattr(self._agent, name)

    async def get_action(self, input: str) -> str:
        if self._pending is not None:
            self._emit_pending(observation_from_prompt(input))
        started = self._clock()
        action = await self._agent.get_action(input)
        self.steps_taken += 1
        self._pending = _PendingStep(
            n=self.steps_taken,
            action=action,
            duration_s=self._clock() - started,
            usage=getattr(self._agent, "last_usage", None),
        )
        return action

    def flush(self, history: Iterable[Any]) -> None:
        """Emits the last step; its observation is None when the environment never answered it."""
        if self._pending is not None:
            self._emit_pending(nth_env_content(history, self._pending.n))

    def _emit_pending(self, observation: Any) -> None:
        step, self._pending = self._pending, None
        self._events.step(step.n, step.action, observation, step.duration_s, step.usage)


def observation_from_prompt(prompt: Any) -> Any:
    if not isinstance(prompt, str) or not prompt.endswith(NEXT_ACTION_PROMPT):
        return prompt
    observation = prompt[: -len(NEXT_ACTION_PROMPT)]
    return observation[:-1] if observation.endswith("\n") else observation


def nth_env_content(history: Iterable[Any], n: int) -> Any:
    seen = 0
    for item in history or ():
        if _field(item, "role") == "env":
            seen += 1
            if seen == n:
                return _field(item, "content")
    return None


def _field(item: Any, name: str) -> Any:
    if isinstance(item, dict):
        return item.get(name)
    return getattr(item, name, None)
