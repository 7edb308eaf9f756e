"""Which protocol phase the run is in, and how long each took.

`start_problem` runs the agent loop, the evaluation and the teardown in one call. Wrapping the
problem's `eval` is the one seam that tells them apart: before it the loop runs, during it the
evaluation, after it the teardown (session JSON, fault recovery, app and OpenEBS/Prometheus removal).
"""

import time
from typing import Any, Callable, Optional

SETUP, LOOP, EVAL, TEARDOWN, DONE = "setup", "loop", "eval", "teardown", "done"


class RunPhases:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.current = SETUP
        # Until the Orchestrator is built nothing has reached the cluster: a failure before then
        # (bad spec, agent config, unknown or unsupported problem) leaves it clean.
        self.cluster_touched = False
        self._entered: dict = {}
        self.eval_results: Any = None

    def enter(self, phase: str) -> None:
        self.current = phase
        self._entered[phase] = self._clock()

    def durations(self, setup_s: float) -> dict:
        """setup_s, loop_s, teardown_s as far as the run got; an unfinished phase counts until now."""
        now = self._clock()
        entered = self._entered
        durations = {"setup_s": setup_s}
        if LOOP in entered:
            durations["loop_s"] = entered.get(EVAL, entered.get(DONE, now)) - entered[LOOP]
        if TEARDOWN in entered:
            durations["teardown_s"] = entered.get(DONE, now) - entered[TEARDOWN]
        return durations

    def eval_seconds(self) -> Optional[float]:
        if EVAL not in self._entered or TEARDOWN not in self._entered:
            return None
        return self._entered[TEARDOWN] - self._entered[EVAL]

    def watch_eval(self, problem: Any, on_loop_end: Callable[[], None]) -> bool:
        """Wraps `problem.eval` on the instance; returns False if there is nothing to wrap."""
        original_eval = getattr(problem, "eval", None)
        if not callable(original_eval):
            return False

        def observed_eval(*args: Any, **kwargs: Any) -> Any:
            self.enter(EVAL)
            on_loop_end()
            results = original_eval(*args, **kwargs)
            self.eval_results = results
            self.enter(TEARDOWN)
            return results

        try:
            problem.eval = observed_eval
        except AttributeError:  # e.g. a class with __slots__
            return False
        return True
