import { planFinish, FinishContext } from './finish-plan';
import type { TaskResult } from './run-record';

const result = { results: { ok: true } } as unknown as TaskResult;
const context: FinishContext = { attempt: 1, maxRetries: 2, workerId: 'w1', timeoutMinutes: 30, cancelRequested: false };
const policy = { baseMs: 200, capMs: 60_000 };
const crash = { status: 'failed' as const, retryable: true, error: { kind: 'runner_crashed', message: 'exit 3' } };

describe('finish plan', () => {
  it('completes with the result', () => {
    expect(planFinish({ status: 'completed', clusterDirty: false }, result, context, policy)).toEqual({ to: 'completed', notes: 'completed by w1 (attempt 1)', level: 'info', error: null, result });
  });

  it('retries a retryable failure while attempts are left, saying when', () => {
    expect(planFinish(crash, result, context, policy, () => 1)).toEqual({
      to: 'retrying',
      notes: 'runner_crashed: exit 3; retry 1 of 2 in 0.2 s',
      level: 'warn',
      error: crash.error,
      result: null,
      retryDelayMs: 200,
    });
  });

  it('fails for good when retries are used up or the error is not retryable', () => {
    expect(planFinish(crash, result, { ...context, attempt: 3 }, policy)).toMatchObject({ to: 'failed', notes: 'runner_crashed: exit 3; no retries left (3 attempts made)', result });
    const fatal = { status: 'failed' as const, retryable: false, error: { kind: 'runner_error', phase: 'setup', message: 'unknown problem' } };
    expect(planFinish(fatal, result, context, policy)).toMatchObject({ to: 'failed', notes: 'runner_error in setup: unknown problem; not retried: the error is not retryable' });
  });

  it('cancels instead of retrying or handing back when a cancel is pending', () => {
    expect(planFinish(crash, result, { ...context, cancelRequested: true }, policy)).toMatchObject({ to: 'cancelled', notes: 'cancelled by request' });
    expect(planFinish({ status: 'handed_back', cause: 'shutdown' }, result, { ...context, cancelRequested: true }, policy)).toMatchObject({ to: 'cancelled' });
  });

  it('hands a task back on shutdown without counting the attempt', () => {
    expect(planFinish({ status: 'handed_back', cause: 'shutdown' }, result, context, policy)).toMatchObject({ to: 'retrying', retryDelayMs: 0, uncountAttempt: true, result: null });
  });

  it('hands a task back without counting the attempt when the environment is broken, even with no retries allowed', () => {
    const plan = planFinish({ status: 'handed_back', cause: 'environment', reason: 'ModuleNotFoundError: aiopslab' }, result, { ...context, maxRetries: 0 }, policy);
    expect(plan).toMatchObject({ to: 'retrying', retryDelayMs: 0, uncountAttempt: true, error: null, notes: 'handed back: the environment of worker w1 is broken (ModuleNotFoundError: aiopslab); attempt 1 is not counted' });
  });

  it('writes nothing after the lease was lost', () => {
    expect(planFinish({ status: 'fenced' }, result, context, policy)).toBeNull();
  });
});
