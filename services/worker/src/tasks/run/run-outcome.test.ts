import type { RunnerErrorEvent } from '@aiopslab/shared/schemas/runner-protocol';
import { decideOutcome, RunSummary } from './run-outcome';

const base: RunSummary = { startFailure: null, exit: { code: 0, signal: null }, hasResult: false, error: null, errorBeforeStop: false, teardownError: null, stopReason: null, timeoutMinutes: 30, protocolEvents: 3 };
const error = (phase: RunnerErrorEvent['phase'], retryable: boolean): RunnerErrorEvent => ({ type: 'error', phase, error_type: 'ValueError', message: 'boom', retryable, traceback: 'tb' });

describe('run outcome', () => {
  it('completes on a result whatever the exit code, and marks the cluster dirty after a teardown error', () => {
    expect(decideOutcome({ ...base, hasResult: true, exit: { code: 1, signal: null } })).toEqual({ status: 'completed', clusterDirty: false });
    expect(decideOutcome({ ...base, hasResult: true, teardownError: error('teardown', true) })).toEqual({ status: 'completed', clusterDirty: true });
    expect(decideOutcome({ ...base, hasResult: true, stopReason: 'cancelled' })).toMatchObject({ status: 'completed' });
  });

  it('fails with the runner error and its retryability', () => {
    expect(decideOutcome({ ...base, exit: { code: 2, signal: null }, error: error('setup', false), errorBeforeStop: true })).toEqual({
      status: 'failed',
      retryable: false,
      error: { kind: 'runner_error', message: 'boom', phase: 'setup', error_type: 'ValueError', traceback: 'tb' },
    });
    expect(decideOutcome({ ...base, error: error('loop', true), errorBeforeStop: true })).toMatchObject({ status: 'failed', retryable: true });
  });

  it('treats an exit without result or error as a retryable crash', () => {
    expect(decideOutcome({ ...base, exit: { code: 3, signal: null } })).toEqual({
      status: 'failed',
      retryable: true,
      error: { kind: 'runner_crashed', message: 'the runner exited with code 3 without reporting a result or an error' },
    });
    expect(decideOutcome({ ...base, exit: { code: null, signal: 'SIGSEGV' } })).toMatchObject({ error: { message: expect.stringContaining('killed by SIGSEGV') } });
  });

  it("reports the worker's own reason when it stopped the runner", () => {
    expect(decideOutcome({ ...base, stopReason: 'timeout', exit: { code: null, signal: 'SIGTERM' } })).toMatchObject({ status: 'timed_out', error: { kind: 'timeout' } });
    expect(decideOutcome({ ...base, stopReason: 'cancelled', error: error('loop', true), errorBeforeStop: false })).toEqual({ status: 'cancelled', error: { kind: 'cancelled', message: 'cancelled by request' } });
    expect(decideOutcome({ ...base, stopReason: 'shutdown' })).toEqual({ status: 'handed_back', cause: 'shutdown' });
  });

  it('lets an error reported before the stop decide', () => {
    expect(decideOutcome({ ...base, stopReason: 'timeout', error: error('loop', true), errorBeforeStop: true })).toMatchObject({ status: 'failed', retryable: true });
  });

  it('writes nothing after the lease was lost, even with a result', () => {
    expect(decideOutcome({ ...base, stopReason: 'fenced', hasResult: true })).toEqual({ status: 'fenced' });
  });

  it('hands the task back when the attempt could not start (the environment is to blame)', () => {
    expect(decideOutcome({ ...base, exit: null, startFailure: { kind: 'cluster_unavailable', message: 'kind create failed' } })).toEqual({
      status: 'handed_back',
      cause: 'environment',
      reason: 'cluster_unavailable: kind create failed',
    });
  });

  it('hands the task back on a runner error with origin environment, but not after a cancel', () => {
    const broken: RunnerErrorEvent = { ...error('setup', true), error_type: 'ConfigException', message: 'Invalid kube-config file', origin: 'environment' };
    expect(decideOutcome({ ...base, exit: { code: 1, signal: null }, error: broken, errorBeforeStop: true })).toEqual({ status: 'handed_back', cause: 'environment', reason: 'ConfigException: Invalid kube-config file' });
    expect(decideOutcome({ ...base, stopReason: 'cancelled', error: broken, errorBeforeStop: false })).toMatchObject({ status: 'cancelled' });
    expect(decideOutcome({ ...base, error: { ...broken, origin: 'task' }, errorBeforeStop: true })).toMatchObject({ status: 'failed' });
  });
});
