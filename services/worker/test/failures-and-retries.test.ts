import { waitUntil } from '../../../tests/support/amqp-helpers';
import { WorkerHarness } from './support/worker-harness';
import { RecordingClusterProvider } from './support/recording-cluster';

describe('worker: failures and retries', () => {
  let h: WorkerHarness;

  beforeAll(async () => {
    h = await WorkerHarness.create();
    await h.startWorker('retry-1', { env: { MAX_TASK_TIMEOUT_MINUTES: '30' } });
  });
  afterAll(() => h.close());

  it('when the runner fails retryably, the task is retried with backoff and fails for good after max_retries, keeping the error', async () => {
    const submitted = await h.submit({ fixture: 'fails', maxRetries: 2 });
    const task = await h.waitForStatus(submitted.id, 'failed');
    expect(task.attempt).toBe(3);
    expect(task.error).toEqual({
      kind: 'runner_error',
      phase: 'setup',
      error_type: 'Exception',
      message: 'Timeout waiting for openebs to be ready',
      traceback: 'Traceback (most recent call last):\n  ...\nException: Timeout',
    });
    const events = await h.events(task.id);
    expect(events.map((e) => `${e.to_status}:${e.attempt}`)).toEqual(['processing:1', 'retrying:1', 'processing:2', 'retrying:2', 'processing:3', 'failed:3']);
    expect(events[1].notes).toMatch(/^runner_error in setup: Timeout waiting for openebs to be ready; retry 1 of 2 in 0\.[1-2] s$/);
    expect(events[3].notes).toMatch(/; retry 2 of 2 in 0\.[2-4] s$/);
    expect(events[5].notes).toBe('runner_error in setup: Timeout waiting for openebs to be ready; no retries left (3 attempts made)');
    // The re-dispatch is scheduled through the outbox's available_at, in the same transaction.
    const dispatches = await h.db.outboxMessage.findMany({ where: { exchange: h.topology.exchanges.tasks }, orderBy: { id: 'asc' } });
    const retries = dispatches.filter((d) => (d.payload as { task_id: string }).task_id === task.id).slice(1);
    expect(retries).toHaveLength(2);
    for (const retry of retries) expect(retry.availableAt.getTime()).toBeGreaterThan(retry.createdAt.getTime() + 50);
  });

  it('when the runner crashes on the first attempt, the retry completes and log seq continues across attempts', async () => {
    const submitted = await h.submit({ fixture: 'flaky' });
    const task = await h.waitForStatus(submitted.id, 'completed');
    expect(task.attempt).toBe(2);
    expect(task.error).toBeNull();
    const logs = await h.logs(task.id);
    expect(logs.map((l) => l.seq)).toEqual(logs.map((_, i) => i + 1));
    const attempts = logs.map((l) => l.attempt);
    expect(attempts).toEqual([...attempts].sort());
    expect(attempts).toContain(1);
    expect(attempts).toContain(2);
    const firstAttempt = logs.filter((l) => l.attempt === 1).map((l) => l.message);
    expect(firstAttempt).toContain('runner exited with code 139');
    expect(firstAttempt[firstAttempt.length - 1]).toMatch(/^runner_crashed: the runner exited with code 139 without reporting a result or an error; retry 1 of 2 in/);
    expect(logs.filter((l) => l.attempt === 2).map((l) => l.message)).toContain('attempt 2');
  });

  it('when the runner reports a non-retryable error, the task fails at once', async () => {
    const submitted = await h.submit({ fixture: 'fails-non-retryable', maxRetries: 3 });
    const task = await h.waitForStatus(submitted.id, 'failed');
    expect(task.attempt).toBe(1);
    expect(task.error).toMatchObject({ kind: 'runner_error', phase: 'setup', error_type: 'ValueError', message: expect.stringContaining('not found') });
    const events = await h.events(task.id);
    expect(events.map((e) => e.to_status)).toEqual(['processing', 'failed']);
    expect(events[1].notes).toMatch(/not retried: the error is not retryable$/);
    expect((task.result as any).runner.exit_code).toBe(2);
  });

  it('when the runner crashes and no retries are allowed, the task fails as runner_crashed', async () => {
    const submitted = await h.submit({ fixture: 'crashes', maxRetries: 0 });
    const task = await h.waitForStatus(submitted.id, 'failed');
    expect(task.error).toEqual({ kind: 'runner_crashed', message: 'the runner exited with code 3 without reporting a result or an error' });
    const logs = (await h.logs(task.id)).map((l) => `${l.stream}:${l.message}`);
    expect(logs).toContain('stdout:starting the orchestrator');
    expect(logs).toContain('stderr:Traceback (most recent call last): KeyError: kubeconfig');
  });

  it('refuses, without running it, a task stored with a timeout above MAX_TASK_TIMEOUT_MINUTES (the limit was lowered since)', async () => {
    const submitted = await h.submit({ fixture: 'succeeds', timeoutMinutes: 45 });
    const task = await h.waitForStatus(submitted.id, 'failed');
    expect(task.error).toMatchObject({ kind: 'timeout_exceeds_broker_limit', message: expect.stringContaining('timeout_minutes 45 exceeds MAX_TASK_TIMEOUT_MINUTES (30) of this worker') });
    const logs = await h.logs(task.id);
    expect(logs.map((l) => l.message).some((m) => m.startsWith('runner started'))).toBe(false);
    expect((await h.events(task.id)).map((e) => e.to_status)).toEqual(['processing', 'failed']);
  });

  describe('with a cluster provider', () => {
    const clusters = new RecordingClusterProvider({ acquisitions: 1 });

    beforeAll(async () => {
      await h.stopWorker(h.workers[0]);
      await h.startWorker('retry-kind', { clusterProvider: clusters });
    });

    it('when the prepared cluster turned unhealthy, the task is handed back uncounted (even with no retries), the worker prepares the cluster again and then runs it there, releasing it clean', async () => {
      const submitted = await h.submit({ fixture: 'echo-env', maxRetries: 0 });
      const task = await h.waitForStatus(submitted.id, 'completed');
      expect(task.attempt).toBe(1);
      const events = await h.events(task.id);
      expect(events.map((e) => e.to_status)).toEqual(['processing', 'retrying', 'processing', 'completed']);
      expect(events[1]).toMatchObject({ to_status: 'retrying', notes: expect.stringMatching(/^handed back: the environment of worker retry-kind is broken \(cluster_unavailable: the kind cluster could not be acquired: kind cluster worker-test-kind turned unhealthy while idle\); attempt 1 is not counted$/) });
      const seen = (task.result as any).results;
      expect(seen.env).toMatchObject({ KUBECONFIG: '/tmp/worker-test-kind.kubeconfig', AIOPSLAB_CLUSTER: 'worker-test-kind' });
      expect(seen.spec.cluster).toEqual({ provider: 'kind', name: 'worker-test-kind', kubeconfig: '/tmp/worker-test-kind.kubeconfig', context: 'kind-worker-test-kind' });
      expect(clusters.releases).toEqual(['clean']);
      // at start, after the failed acquisition, and after the completed task (it used the cluster)
      await waitUntil(() => clusters.preparations === 3, 5000, 'the preparation after the task');
    });

    it('marks the cluster dirty after a failed run', async () => {
      const submitted = await h.submit({ fixture: 'crashes', maxRetries: 0 });
      await h.waitForStatus(submitted.id, 'failed');
      await waitUntil(() => clusters.releases.length === 2, 5000, 'the second release');
      expect(clusters.releases).toEqual(['clean', 'dirty']);
    });

    it('a runner that fails before it reaches the cluster (cluster_touched: false) leaves it clean: nothing to prepare before the next task', async () => {
      await waitUntil(() => clusters.isReady, 5000, 'the cluster prepared after the dirty run');
      const before = clusters.preparations;
      const submitted = await h.submit({ fixture: 'fails-non-retryable', fixtureEnv: { CLUSTER_TOUCHED: 'false' }, maxRetries: 0 });
      await h.waitForStatus(submitted.id, 'failed');
      await waitUntil(() => clusters.releases.length === 3, 5000, 'the third release');
      expect(clusters.releases[2]).toBe('untouched');
      expect(clusters.isReady).toBe(true);
      expect(clusters.preparations).toBe(before);
    });
  });
});
