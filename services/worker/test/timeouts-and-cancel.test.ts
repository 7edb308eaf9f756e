import { waitUntil } from '../../../tests/support/amqp-helpers';
import { processExists, waitForRunnerPids } from './support/process-checks';
import { WorkerHarness } from './support/worker-harness';

/** One "minute" of timeout_minutes lasts one second here. */
const overrides = { timeoutMinuteMs: 1000 };

const runnerPids = (h: WorkerHarness, taskId: string) => waitForRunnerPids(() => h.logs(taskId));

function expectAllGone(pids: { runner: number; child: number | null }) {
  expect(processExists(pids.runner)).toBe(false);
  if (pids.child) expect(processExists(pids.child)).toBe(false);
}

describe('worker: timeouts and cancellation', () => {
  let h: WorkerHarness;

  beforeAll(async () => {
    h = await WorkerHarness.create();
  });
  afterAll(() => h.close());

  describe('with a short lease', () => {
    beforeAll(() => h.startWorker('cancel-short', { overrides }));
    afterAll(() => h.stopWorker(h.workers[0]));

    it('when the runner hangs past its timeout, the task is timed_out and the process group is gone', async () => {
      const submitted = await h.submit({ fixture: 'hangs', timeoutMinutes: 1 });
      const pids = await runnerPids(h, submitted.id);
      expect(processExists(pids.child!)).toBe(true);
      const task = await h.waitForStatus(submitted.id, 'timed_out');
      expect(task.error).toEqual({ kind: 'timeout', message: 'the task ran longer than its timeout of 1 min and was stopped' });
      expect((task.result as any).trajectory).toHaveLength(1);
      expectAllGone(pids);
      const messages = (await h.logs(task.id)).map((l) => l.message);
      expect(messages).toContain('timeout reached; stopping the runner (SIGTERM, SIGKILL after 1 s)');
      expect(messages[messages.length - 1]).toBe('timed out after 1 min; the runner was stopped');
      expect((await h.events(task.id)).map((e) => e.to_status)).toEqual(['processing', 'timed_out']);
    });

    it('when the runner ignores SIGTERM, it and its child are killed after the grace period', async () => {
      const submitted = await h.submit({ fixture: 'ignores-sigterm', timeoutMinutes: 1 });
      const pids = await runnerPids(h, submitted.id);
      const task = await h.waitForStatus(submitted.id, 'timed_out');
      expectAllGone(pids);
      const messages = (await h.logs(task.id)).map((l) => l.message);
      expect(messages).toContain('SIGTERM received and ignored');
      expect(messages).toContain('processes of the runner did not stop on SIGTERM and were killed with SIGKILL after 1 s');
    });

    it('when cancel is requested but the control message is lost, the lease renewal notices and the task is cancelled', async () => {
      const submitted = await h.submit({ fixture: 'hangs' });
      const pids = await runnerPids(h, submitted.id);
      await h.db.task.update({ where: { id: submitted.id }, data: { cancelRequestedAt: new Date() } });
      const task = await h.waitForStatus(submitted.id, 'cancelled');
      expect(task.error).toEqual({ kind: 'cancelled', message: 'cancelled by request' });
      expectAllGone(pids);
      const events = await h.events(task.id);
      expect(events[events.length - 1]).toMatchObject({ from_status: 'processing', to_status: 'cancelled', notes: 'cancelled by request' });
    });

    it('a task cancelled while queued is never started', async () => {
      const cancelled = await h.submit({ fixture: 'succeeds' , status: 'cancelled' });
      const requested = await h.submit({ fixture: 'succeeds', cancelRequestedAt: new Date() });
      const task = await h.waitForStatus(requested.id, 'cancelled');
      expect(task.attempt).toBe(0);
      expect((await h.events(task.id)).map((e) => [e.from_status, e.to_status, e.notes])).toEqual([['pending', 'cancelled', 'cancelled by request before it started']]);
      const after = await h.submit({ fixture: 'succeeds' });
      await h.waitForStatus(after.id, 'completed');
      expect(await h.db.task.findUniqueOrThrow({ where: { id: cancelled.id } })).toMatchObject({ status: 'cancelled', attempt: 0, workerId: null });
      expect(await h.logs(cancelled.id)).toHaveLength(0);
      expect(await h.logs(requested.id)).toHaveLength(0);
    });
  });

  describe('with a long lease (only the control message can cancel in time)', () => {
    beforeAll(() => h.startWorker('cancel-long', { overrides, env: { LEASE_SECONDS: '120' } }));

    it('when the API publishes a cancel to the worker, the run stops within the grace period and the task is cancelled', async () => {
      const submitted = await h.submit({ fixture: 'slow', fixtureEnv: { SLOW_MS: '60000' } });
      await runnerPids(h, submitted.id);
      const requestedAt = new Date();
      await h.db.task.update({ where: { id: submitted.id }, data: { cancelRequestedAt: requestedAt } });
      await h.publishRaw(h.topology.exchanges.control, 'cancel-long', JSON.stringify({ task_id: submitted.id, attempt: 1, requested_at: requestedAt.toISOString() }), { type: 'task.cancel' });
      const task = await h.waitForStatus(submitted.id, 'cancelled', 10_000);
      expect(task.error).toEqual({ kind: 'cancelled', message: 'cancelled by request' });
      const messages = (await h.logs(task.id)).map((l) => l.message);
      expect(messages).toContain('cancel requested; stopping the runner (SIGTERM, SIGKILL after 1 s)');
      // The runner's SystemExit error came after the stop: the cancel decides the outcome.
      expect(messages).toContain('runner error in loop (retryable): SystemExit: terminated by SIGTERM');
      expect(messages[messages.length - 1]).toBe('cancelled by request');
    });

    it('a cancel for a task that is not running here is acked and ignored', async () => {
      await h.publishRaw(h.topology.exchanges.control, 'cancel-long', JSON.stringify({ task_id: '00000000-0000-4000-8000-000000000000', attempt: 1, requested_at: new Date().toISOString() }));
      const submitted = await h.submit({ fixture: 'succeeds' });
      await h.waitForStatus(submitted.id, 'completed');
      expect(await h.queueDepth(h.topology.controlQueue('cancel-long'))).toMatchObject({ messageCount: 0 });
    });
  });
});
