"""Stand-in for wandb (not packaged by Debian): AIOpsLab only logs to it when USE_WANDB is set."""


def init(*args, **kwargs):
    return None


def log(*args, **kwargs):
    return None


def finish(*args, **kwargs):
    return None
