"""Stand-in for groq (not packaged by Debian): importable, refuses to be used."""


class Groq:
    def __init__(self, *args, **kwargs):
        raise RuntimeError("stand-in groq: no Groq calls in the real-source suite")
