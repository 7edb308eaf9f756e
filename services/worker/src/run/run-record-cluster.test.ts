import { RunRecord } from './run-record';
import type { ClusterTiming } from '../clusters/cluster-provider';

const context = { attempt: 1, workerId: 'worker-a', runSeconds: 2, exit: { code: 0, signal: null }, logs: { truncated: false, dropped: { lines: 0, bytes: 0 } } };

describe('the cluster block of a task result', () => {
  test('holds how the cluster was made ready (create, preload, warm seconds) when the provider reported it', () => {
    const timing: ClusterTiming = {
      provider: 'kind', name: 'worker-a-kind', created: true, reused: false, recreate_reason: 'dirty',
      create_s: 41.2, preload_s: 63.5, images_loaded: 12, warm_s: 95.1, warm_installed: ['openebs', 'prometheus'],
    };
    expect(new RunRecord().toResult({ ...context, cluster: timing }).cluster).toEqual(timing);
  });

  test('is absent when the provider reported nothing (none, existing, or no cluster acquired)', () => {
    expect('cluster' in new RunRecord().toResult(context)).toBe(false);
  });
});
