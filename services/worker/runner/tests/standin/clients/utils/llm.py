"""Stand-in for clients/utils/llm.py: only the name the runner redirects for the vllm agent."""


class OpenAI:
    def __init__(self, *args, **kwargs):
        self.kwargs = kwargs
