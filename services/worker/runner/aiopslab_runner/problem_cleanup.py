"""The problem's own cleanup, as upstream's `Orchestrator.start_problem` ends a run.

After the evaluation, upstream recovers the fault (`problem.recover_fault()`) and deletes the
app (`problem.app.cleanup()`); then it removes Prometheus and OpenEBS, which are shared by every
problem and stay here. Nothing is deployed or injected: only the problem's constructor runs, as
upstream's init_problem runs it (some constructors create their namespace or install Chaos
Mesh, which recovering the fault needs). Each step is attempted whatever happened to the one
before, so a failed recovery still gets the app's namespace deleted.
"""

from dataclasses import dataclass
from typing import Any, Callable, List, Optional

INSTANTIATE, RECOVER_FAULT, APP_CLEANUP = "get_problem_instance", "recover_fault", "app.cleanup"


@dataclass(frozen=True)
class StepOutcome:
    step: str
    error: Optional[str] = None

    @property
    def ok(self) -> bool:
        return self.error is None


def clean_up_problem(registry: Any, problem_id: str) -> List[StepOutcome]:
    problem: list = []
    instantiated = _attempt(INSTANTIATE, lambda: problem.append(registry.get_problem_instance(problem_id)))
    if not instantiated.ok:
        skipped = "not attempted: the problem could not be instantiated"
        return [instantiated, StepOutcome(RECOVER_FAULT, skipped), StepOutcome(APP_CLEANUP, skipped)]
    (instance,) = problem
    return [instantiated, _attempt(RECOVER_FAULT, instance.recover_fault), _attempt(APP_CLEANUP, lambda: instance.app.cleanup())]


def summary(problem_id: str, outcomes: List[StepOutcome]) -> str:
    """One line: which step failed and why, or that all succeeded."""
    failed = [outcome for outcome in outcomes if not outcome.ok]
    if not failed:
        return f"cleanup of {problem_id} succeeded: " + ", ".join(f"{o.step} ok" for o in outcomes)
    return f"cleanup of {problem_id} failed: " + "; ".join(f"{o.step} failed: {o.error}" for o in failed)


def _attempt(step: str, action: Callable[[], Any]) -> StepOutcome:
    """A SIGTERM (TerminatedBySignal, a SystemExit) is not caught: it ends the whole cleanup."""
    try:
        action()
    except Exception as exc:
        return StepOutcome(step, one_line(f"{type(exc).__name__}: {exc}"))
    return StepOutcome(step)


def one_line(text: str) -> str:
    return " ".join(text.split())
