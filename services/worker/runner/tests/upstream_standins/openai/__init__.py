"""Stand-in for openai (not packaged by Debian): importable classes that refuse to be used."""


class OpenAI:
    def __init__(self, *args, **kwargs):
        self.kwargs = kwargs

    def __getattr__(self, name):
        raise RuntimeError("stand-in openai: no LLM calls in the real-source suite")


class AzureOpenAI(OpenAI):
    pass
