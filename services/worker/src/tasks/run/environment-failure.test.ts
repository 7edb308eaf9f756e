import type { RunnerErrorEvent } from '@aiopslab/shared/schemas/runner-protocol';
import { environmentFailure, EnvironmentEvidence } from './environment-failure';

const none: EnvironmentEvidence = { startFailure: null, error: null, exit: { code: 1, signal: null }, protocolEvents: 0 };
const runnerError = (origin?: RunnerErrorEvent['origin']): RunnerErrorEvent => ({ type: 'error', phase: 'setup', error_type: 'ModuleNotFoundError', message: "No module named 'aiopslab'", retryable: true, ...(origin ? { origin } : {}) });

describe('environment failure classification', () => {
  it('blames the environment for an error event with origin "environment"', () => {
    expect(environmentFailure({ ...none, error: runnerError('environment'), protocolEvents: 1 })).toBe("ModuleNotFoundError: No module named 'aiopslab'");
  });

  it('blames the task for an error event with origin "task" or no origin', () => {
    expect(environmentFailure({ ...none, error: runnerError('task'), protocolEvents: 1 })).toBeNull();
    expect(environmentFailure({ ...none, error: runnerError(), protocolEvents: 1 })).toBeNull();
  });

  it('blames the environment when the cluster could not be acquired or the runner could not be spawned', () => {
    expect(environmentFailure({ ...none, exit: null, startFailure: { kind: 'cluster_unavailable', message: 'the kind cluster could not be acquired' } })).toBe('cluster_unavailable: the kind cluster could not be acquired');
    expect(environmentFailure({ ...none, exit: null, startFailure: { kind: 'runner_start_failed', message: 'spawn EACCES' } })).toBe('runner_start_failed: spawn EACCES');
  });

  it('blames the environment when the shell could not run RUNNER_COMMAND and nothing was said on the protocol fd', () => {
    expect(environmentFailure({ ...none, exit: { code: 127, signal: null } })).toMatch(/^runner_not_runnable: .*code 127 \(command not found\)/);
    expect(environmentFailure({ ...none, exit: { code: 126, signal: null } })).toMatch(/not executable/);
  });

  it('blames the task for other silent crashes, or for 127 after the runner spoke the protocol', () => {
    expect(environmentFailure({ ...none, exit: { code: 3, signal: null } })).toBeNull();
    expect(environmentFailure({ ...none, exit: { code: null, signal: 'SIGSEGV' } })).toBeNull();
    expect(environmentFailure({ ...none, exit: { code: 127, signal: null }, protocolEvents: 2 })).toBeNull();
  });
});
