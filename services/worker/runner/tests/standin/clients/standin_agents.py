"""Stand-ins for the bundled clients: no LLM, a fixed plan, and their constructor params recorded."""

import json
import os

from aiopslab import _standin


class Agent:
    """Like clients/gpt.py's Agent: no constructor params; needs init_context before get_action."""

    def __init__(self, **params):
        self.params = params
        self.history = []
        self.context_ready = False
        _standin.mark("agent-params", json.dumps({"class": type(self).__name__, **params}))

    def init_context(self, problem_desc, instructions, apis):
        self.system_message = problem_desc
        self.task_message = instructions
        self.history = [{"role": "system", "content": problem_desc}, {"role": "user", "content": instructions}]
        self.context_ready = True

    async def get_action(self, input) -> str:
        if not self.context_ready:
            raise RuntimeError("init_context was not called before get_action")
        self.history.append({"role": "user", "content": input})
        step = sum(1 for message in self.history if message["role"] == "assistant") + 1
        if str(step) == os.environ.get("STANDIN_AGENT_RAISE_AT_STEP"):
            raise RuntimeError("LLM backend unavailable (stand-in)")
        reply = '```\nexec_shell("kubectl get pods -A")\n```' if step == 1 else '```\nsubmit("Yes")\n```'
        self.history.append({"role": "assistant", "content": reply})
        return reply


class GPTAgent(Agent):
    def __init__(self):
        super().__init__()


class vLLMAgent(Agent):
    def __init__(self, model="Qwen/Qwen2.5-Coder-3B-Instruct", repetition_penalty=1.0, temperature=1.0, top_p=0.95, max_tokens=1024):
        super().__init__(model=model, repetition_penalty=repetition_penalty, temperature=temperature, top_p=top_p, max_tokens=max_tokens)
