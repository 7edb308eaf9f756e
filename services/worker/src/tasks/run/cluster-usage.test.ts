import type { RunnerErrorEvent } from '@aiopslab/shared/schemas/runner-protocol';
import { clusterUsage } from './cluster-usage';

const error = (extra: Partial<RunnerErrorEvent> = {}): RunnerErrorEvent => ({ type: 'error', phase: 'setup', error_type: 'InvalidAgentConfig', message: 'bad', retryable: false, ...extra });
const failed = { status: 'failed', retryable: false, error: { kind: 'runner_error', message: 'bad' } } as const;

describe('clusterUsage', () => {
  test('no runner started (no cluster, spawn failure): untouched', () => {
    expect(clusterUsage({ runnerStarted: false, outcome: failed, error: null })).toBe('untouched');
  });

  test('a failure the runner reports before it reached the cluster leaves it clean (invalid agent config, unsupported problem)', () => {
    expect(clusterUsage({ runnerStarted: true, outcome: failed, error: error({ cluster_touched: false }) })).toBe('untouched');
  });

  test('a runner error without cluster_touched counts as touched: dirty', () => {
    expect(clusterUsage({ runnerStarted: true, outcome: failed, error: error() })).toBe('dirty');
    expect(clusterUsage({ runnerStarted: true, outcome: failed, error: error({ cluster_touched: true }) })).toBe('dirty');
  });

  test('completed with a clean teardown: clean; with a failed teardown: dirty', () => {
    expect(clusterUsage({ runnerStarted: true, outcome: { status: 'completed', clusterDirty: false }, error: null })).toBe('clean');
    expect(clusterUsage({ runnerStarted: true, outcome: { status: 'completed', clusterDirty: true }, error: null })).toBe('dirty');
  });

  test('timed out, cancelled or crashed after starting: dirty', () => {
    expect(clusterUsage({ runnerStarted: true, outcome: { status: 'timed_out', error: { kind: 'timeout', message: 'x' } }, error: null })).toBe('dirty');
    expect(clusterUsage({ runnerStarted: true, outcome: { status: 'cancelled', error: { kind: 'cancelled', message: 'x' } }, error: null })).toBe('dirty');
    expect(clusterUsage({ runnerStarted: true, outcome: { status: 'failed', retryable: true, error: { kind: 'runner_crashed', message: 'x' } }, error: null })).toBe('dirty');
  });
});
