"""AgentRegistry with the upstream keys, backed by stand-in agents."""

from clients.standin_agents import GPTAgent, vLLMAgent


class AgentRegistry:
    def __init__(self):
        self.AGENT_REGISTRY = {
            "gpt": GPTAgent,
            "qwen": GPTAgent,
            "deepseek": GPTAgent,
            "vllm": vLLMAgent,
            "openrouter": GPTAgent,
            "generic": GPTAgent,
        }

    def register(self, name, agent_cls):
        self.AGENT_REGISTRY[name] = agent_cls
        return agent_cls

    def get_agent(self, agent: str):
        return self.AGENT_REGISTRY.get(agent)

    def get_agent_ids(self):
        return list(self.AGENT_REGISTRY.keys())
