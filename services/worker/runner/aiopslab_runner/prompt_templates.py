"""System prompts of the `openai_compatible` agent.

`shell_only` is upstream's baseline, `clients/utils/templates.py::DOCS_SHELL_ONLY`, as its bundled
agents (gpt, deepseek, qwen, vllm, openrouter, generic) use it: only `exec_shell` and `submit` are
shown to the model. Scores are comparable with the paper's only under it, so it is the default.
`all_apis` documents every API of the task (logs, metrics, traces too).
The text is taken from the AIOpsLab checkout when its `clients` package is importable, so it
follows the pinned commit; the copy below is used otherwise, and a test keeps the two equal.
"""

import importlib
from typing import Callable

SHELL_ONLY, ALL_APIS = "shell_only", "all_apis"
PROMPT_TEMPLATES = (SHELL_ONLY, ALL_APIS)

DOCS_SHELL_ONLY = """{prob_desc}
You are provided with a direct API to a secure terminal to the service where you can run commands:

{shell_api}

Finally, you will submit your solution for this task using the following API:

{submit_api}

IMPORTANT:
1. The submit() call must strictly follow its defined parameter signature for this task.
2. Provide the call in a markdown code block.

At each turn respond with:
Action: <your action>
"""

REPLY_FORMAT = (
    "Reply with exactly one fenced code block that holds exactly one API call, for example:\n"
    "```\nexec_shell(\"kubectl get pods -n <namespace>\")\n```"
)


def upstream_docs_shell_only() -> str:
    try:
        return importlib.import_module("clients.utils.templates").DOCS_SHELL_ONLY
    except Exception:  # no checkout root on PYTHONPATH: the pinned copy
        return DOCS_SHELL_ONLY


def render_system_message(template: str, problem_desc: str, apis: dict) -> str:
    renderers: dict[str, Callable[[str, dict], str]] = {SHELL_ONLY: _shell_only, ALL_APIS: _all_apis}
    return renderers[template](problem_desc, apis or {})


def _shell_only(problem_desc: str, apis: dict) -> str:
    pick = lambda word: _stringify({k: v for k, v in apis.items() if word in k})  # noqa: E731
    return upstream_docs_shell_only().format(prob_desc=problem_desc, shell_api=pick("exec_shell"), submit_api=pick("submit"))


def _all_apis(problem_desc: str, apis: dict) -> str:
    return f"{problem_desc}\n\nAvailable APIs:\n\n{_stringify(apis)}\n\n{REPLY_FORMAT}"


def _stringify(apis: dict) -> str:
    return "\n\n".join(f"{name}\n{doc}" for name, doc in apis.items())
