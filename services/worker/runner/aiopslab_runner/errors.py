"""Runner failures and how each maps onto the protocol's `error` event."""


class RunnerError(Exception):
    """A failure the runner itself detected; `retryable` says whether another attempt can help."""

    retryable = True


class UsageError(RunnerError):
    """The runner was started wrongly (arguments, environment)."""

    retryable = False


class InvalidTaskSpec(RunnerError):
    retryable = False


class InvalidAgentConfig(RunnerError):
    retryable = False


class UnknownProblemId(RunnerError):
    retryable = False


class ScriptExhausted(RunnerError):
    """A scripted agent ran out of replies; replaying the same script cannot end differently."""

    retryable = False


class AIOpsLabNotFound(RunnerError):
    pass


class LLMRequestError(RunnerError):
    pass


INVALID_SUBMISSION_MESSAGE = "Invalid submission!"


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, RunnerError):
        return exc.retryable
    # AIOpsLab raises a plain ValueError for INVALID_SUBMISSION; the agent's answer will not change
    # on a retry of the same policy, so the message is the only thing to match on.
    if isinstance(exc, ValueError) and str(exc) == INVALID_SUBMISSION_MESSAGE:
        return False
    return True


def error_type_of(exc: BaseException) -> str:
    return getattr(exc, "error_type", None) or type(exc).__name__
