"""Stand-in for python-dotenv: the suite's environment is the whole environment."""


def load_dotenv(*args, **kwargs):
    return False
