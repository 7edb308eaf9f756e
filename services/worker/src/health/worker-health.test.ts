import { createLogger } from '@aiopslab/shared/logging/logger';
import { WorkerActivity } from '../presence/worker-activity';
import { CheckResult, WorkerHealth } from './worker-health';

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

/** A cluster whose preparations fail with the given errors first, or never end (`'hang'`). */
function fakeCluster(failures: (string | 'hang')[] = []) {
  const cluster = {
    isReady: false,
    preparations: 0,
    signals: [] as AbortSignal[],
    async prepare(signal: AbortSignal) {
      cluster.preparations++;
      cluster.signals.push(signal);
      const failure = failures.shift();
      if (failure === 'hang') await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('kind create cluster stopped'))));
      if (failure) throw new Error(failure);
      cluster.isReady = true;
      return null;
    },
  };
  return cluster;
}

function setup(results: CheckResult[], cluster = fakeCluster(), clusterSetupTimeoutMs = 60_000) {
  const gate = { held: true, holds: 0, hold: async () => void ((gate.held = true), gate.holds++), release: () => void (gate.held = false) };
  const activity = new WorkerActivity();
  let checks = 0;
  const health = new WorkerHealth({
    check: async () => results[Math.min(checks++, results.length - 1)],
    cluster,
    clusterSetupTimeoutMs,
    gate,
    activity,
    beat: async () => undefined,
    logger: createLogger('test', 'error', true),
    recheck: { baseMs: 1, capMs: 4 },
  });
  return { health, gate, activity, cluster, checks: () => checks };
}

describe('worker health', () => {
  it('consumes only once the preflight passes, re-checking with backoff meanwhile', async () => {
    const { health, gate, activity, checks } = setup([{ ok: false, reason: 'preflight failed: no module aiopslab' }, { ok: false, reason: 'preflight failed: still broken' }, { ok: true }]);
    await health.start();
    expect(gate.held).toBe(true);
    expect(activity.snapshot()).toMatchObject({ status: 'unhealthy', healthReason: 'preflight failed: no module aiopslab' });
    expect(health.snapshot()).toMatchObject({ health: 'unhealthy', failed_checks: 1, next_check_at: expect.any(String) });
    await until(() => checks() === 3 && !gate.held);
    expect(activity.snapshot()).toEqual({ status: 'idle', currentTaskId: null, healthReason: null });
    expect(health.snapshot()).toMatchObject({ health: 'healthy', health_reason: null, failed_checks: 2, next_check_at: null });
    health.stop();
  });

  it('after an environment failure holds consumption, reports the reason, and releases it when a re-check passes', async () => {
    const { health, gate, activity, checks } = setup([{ ok: true }]);
    await health.start();
    expect(gate.held).toBe(false);
    activity.busy('task-1');
    const failing = health.environmentFailed('ConfigException: Invalid kube-config file');
    expect(gate.held).toBe(true); // held before the caller requeues the message
    await failing;
    expect(activity.snapshot().status).toBe('busy'); // until the attempt ends
    activity.idle();
    expect(activity.snapshot()).toMatchObject({ status: 'unhealthy', healthReason: 'ConfigException: Invalid kube-config file' });
    await until(() => checks() === 2 && !gate.held);
    expect(activity.snapshot().status).toBe('idle');
    health.stop();
  });

  it('stops re-checking on shutdown', async () => {
    const { health, gate, checks } = setup([{ ok: false, reason: 'broken' }]);
    await health.start();
    health.stop();
    expect(health.snapshot().next_check_at).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 20)); // past the longest re-check delay (4 ms)
    expect(checks()).toBe(1);
    expect(gate.held).toBe(true);
  });

  it('consumes only once its cluster is prepared; a preparation that fails makes it unhealthy with the reason and is retried after a backoff', async () => {
    const { health, gate, activity, cluster } = setup([{ ok: true }], fakeCluster(['kind create cluster failed: node container exited']));
    await health.start();
    expect(gate.held).toBe(true);
    expect(activity.snapshot()).toMatchObject({ status: 'unhealthy', healthReason: 'cluster setup failed: kind create cluster failed: node container exited' });
    await until(() => cluster.preparations === 2 && !gate.held);
    expect(cluster.isReady).toBe(true);
    expect(activity.snapshot().status).toBe('idle');
    health.stop();
  });

  it('a preparation over CLUSTER_SETUP_TIMEOUT_SECONDS is aborted and says so', async () => {
    const { health, gate, activity, cluster } = setup([{ ok: true }], fakeCluster(['hang']), 50);
    await health.start();
    expect(cluster.signals[0].aborted).toBe(true);
    expect(gate.held).toBe(true);
    expect(activity.snapshot().healthReason).toBe('cluster setup took longer than CLUSTER_SETUP_TIMEOUT_SECONDS=0.05: kind create cluster stopped');
    health.stop();
  });

  it('after a task that used the cluster, consumption is held while it is prepared again, then released', async () => {
    const { health, gate, activity, cluster } = setup([{ ok: true }]);
    await health.start();
    expect(gate.held).toBe(false);
    cluster.isReady = false; // released after a task that used it
    let release!: () => void;
    cluster.prepare = async (signal: AbortSignal) => {
      cluster.preparations++;
      cluster.signals.push(signal);
      await new Promise<void>((resolve) => (release = resolve));
      cluster.isReady = true;
      return null;
    };
    await health.beforeNextTask();
    expect(gate.held).toBe(true); // before the message is settled
    await until(() => cluster.preparations === 2);
    expect(activity.snapshot().status).toBe('preparing');
    expect(health.snapshot().health).toBe('preparing');
    release();
    await until(() => !gate.held);
    expect(activity.snapshot().status).toBe('idle');
    expect(health.snapshot().health).toBe('healthy');
    health.stop();
  });

  it('a cluster still ready after the task (untouched) costs no hold', async () => {
    const { health, gate, cluster } = setup([{ ok: true }]);
    await health.start();
    const holds = gate.holds;
    await health.beforeNextTask();
    expect(gate.holds).toBe(holds);
    expect(cluster.preparations).toBe(1);
    health.stop();
  });

  it('shutdown aborts a preparation in progress', async () => {
    const { health, cluster } = setup([{ ok: true }], fakeCluster(['hang']));
    const started = health.start();
    await until(() => cluster.signals.length === 1);
    health.stop();
    await started;
    expect(cluster.signals[0].aborted).toBe(true);
  });
});
