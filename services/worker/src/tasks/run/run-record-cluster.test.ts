import { RunRecord } from './run-record';
import type { ClusterTiming } from '../../clusters/cluster-provider';

const context = { attempt: 1, workerId: 'worker-a', runSeconds: 2, clusterWaitSeconds: 0.5, exit: { code: 0, signal: null }, logs: { truncated: false, dropped: { lines: 0, bytes: 0 } } };

describe('the cluster block of a task result', () => {
  test('holds how the cluster was made ready before the task (create, reset, preload, warm seconds), apart from the run time', () => {
    const timing: ClusterTiming = {
      provider: 'kind', name: 'worker-a-kind', created: true, reused: false, recreate_reason: 'reset_failed',
      create_s: 41.2, preload_s: 63.5, images_loaded: 12, reset: { reset_s: 12.5, cleanup_error: null, swept_namespaces: ['test-hotel-reservation'] },
      warm_s: 95.1, warm_installed: ['openebs', 'prometheus'], setup_s: 212.3, prepared_at: '2026-12-07T01:00:00.000Z',
    };
    const result = new RunRecord().toResult({ ...context, cluster: timing });
    expect(result.cluster).toEqual(timing);
    expect(result.durations).toMatchObject({ run_s: 2, cluster_wait_s: 0.5 });
  });

  test('is absent when the provider reported nothing (none, existing, or no cluster acquired)', () => {
    expect('cluster' in new RunRecord().toResult(context)).toBe(false);
  });
});
