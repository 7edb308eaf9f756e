"""One task, start to finish: prepare, validate, set up, run the agent loop, report the result.

Order matters. The problem id is checked against the registry and the agent is built before the
Orchestrator exists, because its constructor already talks to the cluster. The agent is registered
before init_problem, which reads the agent's name. A result is reported as soon as the evaluation
has returned, even when the teardown after it fails: the evaluation is the data, the teardown only
decides whether the cluster is clean.
"""

import asyncio
import time
from typing import Any, MutableMapping

from aiopslab_runner.agent_factory import build_agent
from aiopslab_runner.aiopslab_loader import load_aiopslab
from aiopslab_runner.environment import prepare_environment
from aiopslab_runner.events import EventWriter
from aiopslab_runner.problem_support import require_known_problem
from aiopslab_runner.problem_task_type import task_type_of
from aiopslab_runner.run_phases import DONE, LOOP, TEARDOWN, RunPhases
from aiopslab_runner.session_export import export_session, session_history
from aiopslab_runner.signals import termination_held
from aiopslab_runner.spec import TaskSpec
from aiopslab_runner.step_recorder import StepRecorder

DATA_DIR_NAME = "aiopslab-data"


def run_problem(spec: TaskSpec, events: EventWriter, phases: RunPhases, environ: MutableMapping[str, str]) -> None:
    events.log("info", _task_summary(spec, environ))
    for warning in prepare_environment(spec, environ):
        events.log("warning", warning)
    lab = _timed_import(spec, events, environ)
    registry = lab.ProblemRegistry()
    require_known_problem(registry, spec.problem_id)
    built = build_agent(spec.agent, environ, task_type_of(registry, spec.problem_id))
    for note in built.notes:
        events.log("info", note)
    recorder = StepRecorder(built.agent, events)
    phases.cluster_touched = True  # the Orchestrator's constructor already talks to the cluster
    orchestrator = lab.Orchestrator(results_dir=spec.results_dir)
    orchestrator.register_agent(recorder, name=built.name)
    setup_s = _set_up(orchestrator, built.agent, spec, events)
    _watch_eval(orchestrator, recorder, phases, events)
    _run_and_report(orchestrator, recorder, spec, events, phases, setup_s)


def _task_summary(spec: TaskSpec, environ: MutableMapping[str, str]) -> str:
    summary = (
        f"task {spec.task_id} attempt {spec.attempt}: problem {spec.problem_id}, "
        f"agent kind {spec.agent.kind}, max_steps {spec.max_steps}, agent shell {spec.agent_shell.mode}"
        + (f" ({spec.agent_shell.container or spec.agent_shell.host})" if spec.agent_shell.mode != "localhost" else "")
    )
    correlation_id = environ.get("CORRELATION_ID")
    return f"{summary}, correlation_id {correlation_id}" if correlation_id else summary


def _timed_import(spec: TaskSpec, events: EventWriter, environ: MutableMapping[str, str]) -> Any:
    started = time.monotonic()
    lab = load_aiopslab(spec.work_dir / DATA_DIR_NAME, spec.agent_shell, environ)
    events.metric("aiopslab_import_s", time.monotonic() - started, "s")
    return lab


def _set_up(orchestrator: Any, agent: Any, spec: TaskSpec, events: EventWriter) -> float:
    started = time.monotonic()
    task_description, instructions, apis = orchestrator.init_problem(spec.problem_id)
    setup_s = time.monotonic() - started
    session_id = getattr(getattr(orchestrator, "session", None), "session_id", None)
    if session_id is not None:
        events.session_started(str(session_id))
    init_context = getattr(agent, "init_context", None)
    if callable(init_context):
        init_context(task_description, instructions, apis)
    events.setup_done(task_description, instructions, apis, setup_s)
    return setup_s


def _watch_eval(orchestrator: Any, recorder: StepRecorder, phases: RunPhases, events: EventWriter) -> None:
    problem = getattr(getattr(orchestrator, "session", None), "problem", None)
    # The loop is over once eval starts: the last step is sent then, not after a long teardown.
    flush_last_step = lambda: recorder.flush(session_history(orchestrator))  # noqa: E731
    if not phases.watch_eval(problem, flush_last_step):
        events.log("warning", "cannot observe the problem's eval: loop_s will include eval and teardown")


def _run_and_report(
    orchestrator: Any, recorder: StepRecorder, spec: TaskSpec, events: EventWriter, phases: RunPhases, setup_s: float
) -> None:
    phases.enter(LOOP)
    try:
        outcome = asyncio.run(orchestrator.start_problem(spec.max_steps))
        # The work is done: a SIGTERM now must not cost the result, so it waits until the result is out.
        with termination_held():
            phases.enter(DONE)
            recorder.flush(session_history(orchestrator) or outcome.get("history"))
            _report_result(orchestrator, outcome, events, phases, setup_s, recorder.steps_taken)
    except BaseException:
        if not events.result_emitted:
            recorder.flush(session_history(orchestrator))
            if phases.current in (TEARDOWN, DONE):
                session, _ = export_session(orchestrator)
                events.result(phases.eval_results, None, session, phases.durations(setup_s))
        raise


def _report_result(orchestrator: Any, outcome: dict, events: EventWriter, phases: RunPhases, setup_s: float, steps: int) -> None:
    eval_s = phases.eval_seconds()
    if eval_s is not None:
        events.metric("eval_s", eval_s, "s")
    events.metric("agent_steps", steps)
    session, warning = export_session(orchestrator)
    if warning:
        events.log("warning", warning)
    results = outcome.get("results", phases.eval_results)
    events.result(results, outcome.get("framework_overhead"), session, phases.durations(setup_s))
