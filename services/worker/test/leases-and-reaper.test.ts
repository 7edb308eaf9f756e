import { randomUUID } from 'node:crypto';
import { waitUntil } from '../../../tests/support/amqp-helpers';
import { managementApi } from '../../../tests/support/test-services';
import { processExists, waitForRunnerPids } from './support/process-checks';
import { WorkerHarness } from './support/worker-harness';
import type { TestWorker } from './support/worker-harness';
import { createLogger } from '@aiopslab/shared/logging/logger';
import { createSqlDb, type SqlClient } from '@aiopslab/shared/db/sql';
import { LeaseLeader } from '../src/maintenance/lease-leader';

/** The real database, counting the statements sent through it. */
function counting(sql: SqlClient): { db: SqlClient; count: () => number } {
  let n = 0;
  const db = new Proxy(sql, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        n++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { db, count: () => n };
}

async function ghostTask(h: WorkerHarness, fields: { attempt?: number; maxRetries?: number; cancelRequestedAt?: Date } = {}) {
  return h.db.task.create({
    data: {
      id: randomUUID(),
      problemId: 'k8s_target_port-misconfig-detection-1',
      status: 'processing',
      agentConfig: { kind: 'scripted', actions: ['submit("Yes")'] },
      maxSteps: 5,
      timeoutMinutes: 30,
      maxRetries: fields.maxRetries ?? 2,
      attempt: fields.attempt ?? 1,
      workerId: 'ghost',
      startedAt: new Date(Date.now() - 60_000),
      leaseExpiresAt: new Date(Date.now() - 1000),
      cancelRequestedAt: fields.cancelRequestedAt ?? null,
      parameters: { fixture: 'succeeds' },
    },
  });
}

describe('worker: leases, fencing and the reaper', () => {
  let h: WorkerHarness;
  let first: TestWorker;
  let second: TestWorker;

  beforeAll(async () => {
    h = await WorkerHarness.create();
    first = await h.startWorker('lease-1');
    second = await h.startWorker('lease-2');
  });
  afterAll(() => h.close());

  it('while a task runs longer than its lease, the lease is renewed and the task completes on its first attempt', async () => {
    const submitted = await h.submit({ fixture: 'slow', fixtureEnv: { SLOW_MS: '4500' } });
    const task = await h.waitForStatus(submitted.id, 'completed');
    expect(task.attempt).toBe(1);
    expect((await h.events(task.id)).map((e) => e.to_status)).toEqual(['processing', 'completed']);
  });

  it('duplicate and redelivered dispatch messages are acked and dropped: one claim, one result', async () => {
    const submitted = await h.submit({ fixture: 'slow', fixtureEnv: { SLOW_MS: '1500' } });
    await h.waitForStatus(submitted.id, 'processing');
    const duplicate = JSON.stringify({ task_id: submitted.id });
    for (let i = 0; i < 3; i++) await h.publishRaw(h.topology.exchanges.tasks, h.topology.routing.dispatch, duplicate);
    const task = await h.waitForStatus(submitted.id, 'completed');
    await h.publishRaw(h.topology.exchanges.tasks, h.topology.routing.dispatch, duplicate);
    await waitUntil(async () => (await h.queueDepth(h.topology.queues.dispatch)).messageCount === 0, 5000, 'duplicates consumed');
    const other = await h.submit({ fixture: 'succeeds' });
    await h.waitForStatus(other.id, 'completed');
    const events = await h.events(task.id);
    expect(events.filter((e) => e.to_status === 'processing')).toHaveLength(1);
    expect(events.map((e) => e.to_status)).toEqual(['processing', 'completed']);
    expect(task.attempt).toBe(1);
    const dropped = (await first.metrics.dropped.get()).values[0].value + (await second.metrics.dropped.get()).values[0].value;
    expect(dropped).toBeGreaterThanOrEqual(4);
  });

  it('one reaper leader at a time: others take the lease only once it may have expired, and take it when the leader stalls or leaves', async () => {
    const logger = createLogger('test', 'error', true);
    const sql = createSqlDb(h.env.databaseUrl, 2);
    const bDb = counting(sql);
    const a = new LeaseLeader(sql, 'test-leader', 'holder-a', 1500, logger);
    const b = new LeaseLeader(bDb.db, 'test-leader', 'holder-b', 1500, logger);
    const passes: string[] = [];
    expect(await a.runIfLeader(async () => passes.push('a'))).toBe(true);
    expect(await b.runIfLeader(async () => passes.push('b'))).toBe(false); // one statement: learns the expiry
    expect(bDb.count()).toBe(1);
    expect(await b.runIfLeader(async () => passes.push('b'))).toBe(false);
    expect(bDb.count()).toBe(1); // no statement: the lease cannot have run out yet
    expect(await a.runIfLeader(async () => passes.push('a'))).toBe(true); // renewed

    // A stalls (stops renewing): once the lease ran out, B takes it.
    await waitUntil(() => b.runIfLeader(async () => passes.push('b')), 10_000, 'B leading after A stalled');
    expect(await a.runIfLeader(async () => passes.push('a'))).toBe(false);
    // B leaves cleanly: A takes over at its next try.
    await b.release();
    a.observe(0);
    expect(await a.runIfLeader(async () => passes.push('a'))).toBe(true);
    expect(passes).toEqual(['a', 'a', 'b', 'a']);
    await a.release();
    await sql.$disconnect();
  });

  it('when a worker dies mid-task (its lease expires), the reaper retries the task and it finishes once', async () => {
    const ghost = await ghostTask(h);
    const task = await h.waitForStatus(ghost.id, 'completed');
    expect(task.attempt).toBe(2);
    const events = await h.events(task.id);
    expect(events.map((e) => e.to_status)).toEqual(['retrying', 'processing', 'completed']);
    expect(events[0]).toMatchObject({ from_status: 'processing', worker_id: 'ghost', notes: expect.stringMatching(/^lost_worker: lease of ghost expired \(reaped by lease-\d\); retry 1 of 2 in/) });
  });

  it('when a lost task has no retries left, the reaper fails it as lost_worker; with a pending cancel it is cancelled', async () => {
    const exhausted = await ghostTask(h, { attempt: 3, maxRetries: 2 });
    const cancelled = await ghostTask(h, { cancelRequestedAt: new Date() });
    const failed = await h.waitForStatus(exhausted.id, 'failed');
    expect(failed.error).toMatchObject({ kind: 'lost_worker', message: expect.stringContaining('worker ghost stopped renewing its lease') });
    expect((await h.events(failed.id))[0].notes).toMatch(/no retries left \(3 attempts made\)$/);
    const stopped = await h.waitForStatus(cancelled.id, 'cancelled');
    expect(stopped.error).toEqual({ kind: 'cancelled', message: 'cancelled by request' });
  });

  it('marks workers whose heartbeats stopped offline', async () => {
    await h.db.worker.create({ data: { id: 'silent', hostname: 'gone', backend: 'none', status: 'busy', version: '0', lastHeartbeatAt: new Date(Date.now() - 60_000) } });
    await waitUntil(async () => (await h.db.worker.findUniqueOrThrow({ where: { id: 'silent' } })).status === 'offline', 5000, 'silent worker offline');
    const live = await h.db.worker.findMany({ where: { id: { in: ['lease-1', 'lease-2', 'lease-3'] }, status: { not: 'offline' } } });
    expect(live.length).toBeGreaterThanOrEqual(2);
  });

  it('when another owner takes the task over, the fenced worker stops its runner and writes nothing more', async () => {
    const submitted = await h.submit({ fixture: 'slow', fixtureEnv: { SLOW_MS: '20000' } });
    const pids = await waitForRunnerPids(() => h.logs(submitted.id));
    const running = await h.db.task.findUniqueOrThrow({ where: { id: submitted.id } });
    await h.db.task.update({ where: { id: submitted.id }, data: { workerId: 'thief', attempt: running.attempt + 1, leaseExpiresAt: new Date(Date.now() + 3_600_000) } });
    const linesAtTakeover = (await h.logs(submitted.id)).length;
    await waitUntil(() => !processExists(pids.runner), 10_000, 'the fenced runner to be stopped');
    const next = await h.submit({ fixture: 'succeeds' });
    await h.waitForStatus(next.id, 'completed');
    const task = await h.db.task.findUniqueOrThrow({ where: { id: submitted.id } });
    expect(task).toMatchObject({ status: 'processing', workerId: 'thief', attempt: running.attempt + 1 });
    expect((await h.logs(submitted.id)).length).toBe(linesAtTakeover);
    expect((await h.events(submitted.id)).map((e) => e.to_status)).toEqual(['processing']);
  });

  it('when the broker drops the connection of a worker mid-run, the run goes on, completes once, and the worker consumes again', async () => {
    const submitted = await h.submit({ fixture: 'slow', fixtureEnv: { SLOW_MS: '3000' } });
    const running = await h.waitForStatus(submitted.id, 'processing');
    const owner = h.workers.find((w) => w.settings.env.WORKER_ID === running.workerId)!;
    let name: string | undefined;
    await waitUntil(async () => {
      const connections = (await (await managementApi('/api/connections?columns=name,client_properties')).json()) as { name: string; client_properties: { connection_name?: string } }[];
      name = connections.find((c) => c.client_properties.connection_name === `worker ${running.workerId}`)?.name;
      return name !== undefined;
    }, 15_000, 'the worker connection in the management API');
    const closed = await managementApi(`/api/connections/${encodeURIComponent(name!)}`, { method: 'DELETE', headers: { 'X-Reason': 'test: simulate consumer_timeout' } });
    expect(closed.ok).toBe(true);
    const task = await h.waitForStatus(submitted.id, 'completed', 20_000);
    expect(task.attempt).toBe(1);
    expect((await h.events(task.id)).map((e) => e.to_status)).toEqual(['processing', 'completed']);
    await waitUntil(() => owner.isConsuming, 10_000, 'the worker to consume again');
    await waitUntil(async () => (await h.queueDepth(h.topology.queues.dispatch)).messageCount === 0, 10_000, 'the requeued copy to be consumed');
    const after = await h.submit({ fixture: 'succeeds' });
    expect((await h.waitForStatus(after.id, 'completed')).attempt).toBe(1);
  });
});
