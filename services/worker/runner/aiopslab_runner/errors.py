"""Runner failures and how each maps onto the protocol's `error` event."""


ENVIRONMENT, TASK = "environment", "task"


class RunnerError(Exception):
    """A failure the runner itself detected; `retryable` says whether another attempt can help.

    `origin` says whose fault it is: "environment" means this worker's setup (AIOpsLab not
    importable, no kubeconfig), which another worker may not share, so the task must not pay an
    attempt for it; "task" means the task itself.
    """

    retryable = True
    origin = TASK


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


class UnsupportedProblem(RunnerError):
    """A registry problem this service deliberately does not run (see problem_support.py)."""

    retryable = False


class EnvironmentFailure(RunnerError):
    origin = ENVIRONMENT


class AIOpsLabNotFound(EnvironmentFailure):
    pass


class AIOpsLabImportFailed(EnvironmentFailure):
    """Importing AIOpsLab raised: a missing dependency, a broken checkout, an unreadable kubeconfig."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(
            f"importing AIOpsLab failed ({type(cause).__name__}: {cause}); this worker's AIOpsLab "
            "environment is incomplete: install AIOpsLab's dependencies into the runner's Python"
        )
        self.error_type = type(cause).__name__


class KubeconfigUnavailable(EnvironmentFailure):
    pass


class SshKeyUnavailable(EnvironmentFailure):
    """The worker's ssh agent shell has no key it can read: its configuration, not the task."""


class AgentDependencyMissing(RunnerError):
    """A bundled agent's Python dependency is missing. Not the worker's health: the worker still
    runs every other agent, and a hand-back would bounce the task among workers of one image
    forever. The task fails for good, saying what to install."""

    retryable = False


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


def origin_of(exc: BaseException) -> str:
    return getattr(exc, "origin", TASK) if isinstance(exc, RunnerError) else TASK


def error_type_of(exc: BaseException) -> str:
    return getattr(exc, "error_type", None) or type(exc).__name__
