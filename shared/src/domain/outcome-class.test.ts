import { classifyOutcome, isRetryableInfraError, OutcomeInput, outcomeOfTask } from './outcome-class';

const base: OutcomeInput = { status: 'failed', taskType: 'localization', results: null, error: null, setupReached: false };
const failed = (error: OutcomeInput['error'], setupReached = false) => classifyOutcome({ ...base, error, setupReached });

describe('classifyOutcome', () => {
  it('when a detection task answered correctly, it is solved (by "Detection Accuracy", as the results table)', () => {
    expect(classifyOutcome({ ...base, status: 'completed', taskType: 'detection', results: { 'Detection Accuracy': 'Correct' } })).toEqual({ solved: true, outcome_class: 'solved', outcome_origin: 'evaluation' });
    expect(classifyOutcome({ ...base, status: 'completed', taskType: 'detection', results: { 'Detection Accuracy': 'Incorrect', success: true } }).outcome_class).toBe('unsolved');
  });

  it('when another task type completed, results.success decides; a missing verdict is unsolved', () => {
    expect(classifyOutcome({ ...base, status: 'completed', results: { success: true } }).outcome_class).toBe('solved');
    expect(classifyOutcome({ ...base, status: 'completed', results: { success: false } }).outcome_class).toBe('unsolved');
    expect(classifyOutcome({ ...base, status: 'completed', results: null }).outcome_class).toBe('unsolved');
  });

  it('when the task type is unknown, a "Detection Accuracy" key makes it a detection grade', () => {
    expect(classifyOutcome({ ...base, status: 'completed', taskType: null, results: { 'Detection Accuracy': 'Correct' } }).solved).toBe(true);
  });

  it('a timeout during the agent loop is unsolved; before setup was done it is the infrastructure', () => {
    expect(classifyOutcome({ ...base, status: 'timed_out', error: { kind: 'timeout' }, setupReached: true })).toMatchObject({ outcome_class: 'unsolved', outcome_origin: 'timeout' });
    expect(classifyOutcome({ ...base, status: 'timed_out', error: { kind: 'timeout' } })).toMatchObject({ outcome_class: 'infra_error', outcome_origin: 'timeout_during_setup' });
  });

  it('a runner error in the loop is the agent; in setup it is the infrastructure, unless its type is the agent config or the task spec', () => {
    expect(failed({ kind: 'runner_error', phase: 'loop', error_type: 'RuntimeError' }, true)).toMatchObject({ outcome_class: 'agent_error', outcome_origin: 'agent' });
    expect(failed({ kind: 'runner_error', phase: 'setup', error_type: 'TimeoutError' })).toMatchObject({ outcome_class: 'infra_error', outcome_origin: 'setup' });
    expect(failed({ kind: 'runner_error', phase: 'setup', error_type: 'InvalidAgentConfig' })).toMatchObject({ outcome_class: 'agent_error', outcome_origin: 'agent_config' });
    expect(failed({ kind: 'runner_error', phase: 'setup', error_type: 'UnsupportedProblem' })).toMatchObject({ outcome_class: 'agent_error', outcome_origin: 'task_spec' });
    expect(failed({ kind: 'runner_error', phase: 'loop', error_type: 'LLMRequestError' }, true)).toMatchObject({ outcome_class: 'agent_error', outcome_origin: 'agent' });
    expect(failed({ kind: 'runner_error', phase: 'eval', error_type: 'KeyError' }, true)).toMatchObject({ outcome_class: 'infra_error', outcome_origin: 'evaluation' });
  });

  it('a silent runner crash before setup_done is the infrastructure, after it the agent', () => {
    expect(failed({ kind: 'runner_crashed' })).toMatchObject({ outcome_class: 'infra_error', outcome_origin: 'runner_crash' });
    expect(failed({ kind: 'runner_crashed' }, true)).toMatchObject({ outcome_class: 'agent_error', outcome_origin: 'runner_crash_in_loop' });
  });

  it("the worker's own failures are the infrastructure's: a lost worker, no cluster, a deployment limit", () => {
    expect(failed({ kind: 'lost_worker' }, true)).toMatchObject({ outcome_class: 'infra_error', outcome_origin: 'lost_worker' });
    expect(failed({ kind: 'cluster_unavailable' })).toMatchObject({ outcome_class: 'infra_error', outcome_origin: 'cluster' });
    expect(failed({ kind: 'timeout_exceeds_broker_limit' })).toMatchObject({ outcome_class: 'infra_error', outcome_origin: 'deployment_limit' });
  });

  it('a cancelled or unfinished task has no class and is not solved', () => {
    expect(classifyOutcome({ ...base, status: 'cancelled', error: { kind: 'cancelled' } })).toEqual({ solved: false, outcome_class: null, outcome_origin: 'cancelled' });
    expect(classifyOutcome({ ...base, status: 'pending' })).toEqual({ solved: false, outcome_class: null, outcome_origin: null });
  });

  it('an unknown error kind is the agent\'s, named by its kind', () => {
    expect(failed({ kind: 'something_new' })).toMatchObject({ outcome_class: 'agent_error', outcome_origin: 'something_new' });
  });
});

describe('outcomeOfTask and the infra retry rule', () => {
  it('reads setup_done from the stored result', () => {
    const task = { status: 'timed_out', error: { kind: 'timeout' }, result: { setup: { task_description: 'x' }, trajectory: [] } };
    expect(outcomeOfTask(task, 'analysis').outcome_class).toBe('unsolved');
    expect(outcomeOfTask({ ...task, result: { setup: null, trajectory: [], durations: { loop_s: null } } }, 'analysis').outcome_class).toBe('infra_error');
  });

  it('retries infra errors except a deployment limit', () => {
    expect(isRetryableInfraError({ solved: false, outcome_class: 'infra_error', outcome_origin: 'lost_worker' })).toBe(true);
    expect(isRetryableInfraError({ solved: false, outcome_class: 'infra_error', outcome_origin: 'deployment_limit' })).toBe(false);
    expect(isRetryableInfraError({ solved: false, outcome_class: 'agent_error', outcome_origin: 'agent' })).toBe(false);
  });

  it('a runner error the runner blames on the environment is infrastructure, whatever its phase', () => {
    const input = { status: 'failed', taskType: 'detection', results: null, setupReached: true, error: { kind: 'runner_error', phase: 'loop', error_type: 'KubeconfigUnavailable', origin: 'environment' } };
    expect(classifyOutcome(input)).toEqual({ solved: false, outcome_class: 'infra_error', outcome_origin: 'environment' });
    expect(classifyOutcome({ ...input, error: { ...input.error, origin: 'task' } })).toMatchObject({ outcome_class: 'agent_error' });
  });
});
