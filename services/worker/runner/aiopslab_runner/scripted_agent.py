"""The `scripted` agent: replays fixed replies, for smoke tests and demos."""

from aiopslab_runner.errors import ScriptExhausted

FENCE = "```"


class ScriptedAgent:
    def __init__(self, actions: tuple) -> None:
        self._replies = [fenced(action) for action in actions]
        self._next = 0

    def init_context(self, problem_desc: str, instructions: str, apis: dict) -> None:
        self.system_message = problem_desc
        self.task_message = instructions

    async def get_action(self, input: str) -> str:
        if self._next >= len(self._replies):
            raise ScriptExhausted(f"the script's {len(self._replies)} replies are used up without a submission")
        reply = self._replies[self._next]
        self._next += 1
        return reply


def fenced(action: str) -> str:
    """AIOpsLab's parser wants exactly one fenced block; bare calls in a script get one."""
    if FENCE in action:
        return action
    return f"{FENCE}\n{action.strip()}\n{FENCE}"
