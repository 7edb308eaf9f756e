"""The `reference` agents: built-in baselines that measure the graders, not a model.

`do_nothing` takes no action and submits the empty answer of its task type (the argument each
task's `submit` in upstream's orchestrator/actions/*.py takes, left empty): "No" for detection,
`[]` for localization, `{}` for analysis, and a bare `submit()` for mitigation, with nothing
fixed. It must fail every problem that has a fault; a problem it passes has a grader defect,
except the `noop_*` detection problems, where "No" is the right answer.
`constant_yes` answers "Yes" to a detection problem: its success rate is the base rate of faults.
"""

from typing import Optional

from aiopslab_runner.errors import InvalidAgentConfig
from aiopslab_runner.scripted_agent import fenced

DO_NOTHING = "do_nothing"
CONSTANT_YES = "constant_yes"

EMPTY_ANSWERS = {
    "detection": 'submit("No")',
    "localization": "submit([])",
    "analysis": "submit({})",
    "mitigation": "submit()",
}
REFERENCE_ANSWERS = {
    DO_NOTHING: EMPTY_ANSWERS,
    CONSTANT_YES: {"detection": 'submit("Yes")'},
}
REFERENCE_AGENT_NAMES = tuple(REFERENCE_ANSWERS)


def reference_action(name: str, task_type: Optional[str]) -> str:
    """The one action of reference agent `name` on a problem of `task_type`, or InvalidAgentConfig."""
    answers = REFERENCE_ANSWERS.get(name)
    if answers is None:
        raise InvalidAgentConfig(f"agent_config.name must be one of {list(REFERENCE_AGENT_NAMES)}, got {name!r}")
    if task_type not in answers:
        raise InvalidAgentConfig(
            f"reference agent {name!r} answers {sorted(answers)} problems only, and this problem's task type is "
            f"{task_type or 'unknown (the registry files it under no task type)'}: use do_nothing, or another problem"
        )
    return answers[task_type]


class ReferenceAgent:
    """Submits at its first step; a later prompt (after an invalid submission) gets the same answer."""

    def __init__(self, name: str, task_type: Optional[str]) -> None:
        self.action = reference_action(name, task_type)
        self._reply = fenced(self.action)

    def init_context(self, problem_desc: str, instructions: str, apis: dict) -> None:
        self.system_message = problem_desc
        self.task_message = instructions

    async def get_action(self, input: str) -> str:
        return self._reply
