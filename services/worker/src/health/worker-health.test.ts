import { createLogger } from '@aiopslab/shared/logging/logger';
import { WorkerActivity } from '../presence/worker-activity';
import { CheckResult, WorkerHealth } from './worker-health';

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

function setup(results: CheckResult[]) {
  const gate = { held: true, holds: 0, hold: async () => void ((gate.held = true), gate.holds++), release: () => void (gate.held = false) };
  const activity = new WorkerActivity();
  let checks = 0;
  const health = new WorkerHealth({
    check: async () => results[Math.min(checks++, results.length - 1)],
    gate,
    activity,
    beat: async () => undefined,
    logger: createLogger('test', 'error', true),
    recheck: { baseMs: 1, capMs: 4 },
  });
  return { health, gate, activity, checks: () => checks };
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
});
