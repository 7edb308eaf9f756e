import { randomUUID } from 'node:crypto';
import amqp, { ChannelModel, ConfirmChannel } from 'amqplib';
import { topologyNames } from '../../../shared/src/amqp/topology';
import { createPrismaClient, Db } from '../../../shared/src/db/prisma-client';
import { getStatusHistory } from '../../../shared/src/tables/status-history';
import { buildTaskEvent } from '../../../shared/src/domain/task-event';
import { collectMessages, waitUntil } from '../../../tests/support/amqp-helpers';
import { insertTask } from '../../../tests/support/builders';
import { createTestEnv, TestEnv } from '../../../tests/support/test-env';
import { verifyCli } from '../src/verify-cli';
import { claim, historyCount, metricValue, RunningHistory, startHistory, startRelay, submitTask, transition } from './support/history-harness';

describe('status-history service: recording transitions', () => {
  let env: TestEnv;
  let db: Db;
  let history: RunningHistory;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let raw: ChannelModel;
  let rawChannel: ConfirmChannel;
  const topology = () => topologyNames(env.queuePrefix);

  beforeAll(async () => {
    env = await createTestEnv();
    db = createPrismaClient(env.databaseUrl, 4);
    // A generous batch window so that a burst published together is written as one batch.
    history = await startHistory(env, { BATCH_WAIT_MS: '30' });
    relay = await startRelay(env);
    raw = await amqp.connect(env.amqpUrl);
    rawChannel = await raw.createConfirmChannel();
  });

  afterAll(async () => {
    await raw?.close().catch(() => undefined);
    await relay?.stop();
    await history?.stop();
    await db?.$disconnect();
    await env?.drop();
  });

  /** Publishes bodies straight to task.events, as a buggy or foreign publisher might. */
  async function publishRaw(bodies: (Buffer | object)[], routingKey = 'task.processing'): Promise<void> {
    for (const body of bodies) {
      const content = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
      rawChannel.publish(topology().exchanges.events, routingKey, content, { persistent: true, messageId: randomUUID(), correlationId: 'corr-raw' });
    }
    await rawChannel.waitForConfirms();
  }

  it('records a full lifecycle as pending → processing → completed, with notes, workers and timestamps', async () => {
    const id = await submitTask(db, topology());
    await claim(db, topology(), id, 'worker-1');
    const { task } = await transition(db, topology(), id, 'completed', { notes: 'problem solved: 3 steps', data: { result: { success: true } } });
    await waitUntil(async () => (await historyCount(db, id)) === 3, 10_000, 'three history rows');

    const rows = await getStatusHistory(db, id);
    expect(rows.map((r) => [r.from_status, r.to_status, r.attempt, r.worker_id, r.notes])).toEqual([
      [null, 'pending', 0, null, 'submitted'],
      ['pending', 'processing', 1, 'worker-1', 'claimed by worker-1'],
      ['processing', 'completed', 1, 'worker-1', 'problem solved: 3 steps'],
    ]);
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(['attempt', 'event_id', 'from_status', 'notes', 'occurred_at', 'recorded_at', 'to_status', 'worker_id']);
      expect(Date.parse(row.recorded_at)).toBeGreaterThanOrEqual(Date.parse(row.occurred_at));
    }
    // occurred_at is the moment of the transition itself, not of its recording
    expect(rows[2].occurred_at).toBe(task.completedAt!.toISOString());
    expect(rows[0].occurred_at <= rows[1].occurred_at && rows[1].occurred_at <= rows[2].occurred_at).toBe(true);
  });

  it('records retries and every kind of cancel in order', async () => {
    const t = topology();
    const retried = await submitTask(db, t);
    await claim(db, t, retried, 'worker-1');
    await transition(db, t, retried, 'retrying', { notes: 'lease expired (lost_worker); retry 1 of 2', eventWorkerId: 'worker-1' });
    await claim(db, t, retried, 'worker-2');
    await transition(db, t, retried, 'failed', { notes: 'runner exited with 3' });

    const cancelledWaiting = await submitTask(db, t);
    await transition(db, t, cancelledWaiting, 'cancelled', { notes: 'cancelled by request', eventWorkerId: null });
    const cancelledRetrying = await submitTask(db, t);
    await claim(db, t, cancelledRetrying, 'worker-3');
    await transition(db, t, cancelledRetrying, 'retrying', { notes: 'retry 1 of 2' });
    await transition(db, t, cancelledRetrying, 'cancelled', { notes: 'cancelled by request' });
    const cancelledRunning = await submitTask(db, t);
    await claim(db, t, cancelledRunning, 'worker-4');
    await transition(db, t, cancelledRunning, 'cancelled', { notes: 'executor stopped on request' });

    await waitUntil(async () => (await historyCount(db)) >= 3 + 5 + 2 + 4 + 3, 10_000, 'all rows recorded');
    const steps = async (id: string) => (await getStatusHistory(db, id)).map((r) => `${r.from_status}>${r.to_status}@${r.attempt}:${r.worker_id ?? '-'}`);
    expect(await steps(retried)).toEqual(['null>pending@0:-', 'pending>processing@1:worker-1', 'processing>retrying@1:worker-1', 'retrying>processing@2:worker-2', 'processing>failed@2:worker-2']);
    expect(await steps(cancelledWaiting)).toEqual(['null>pending@0:-', 'pending>cancelled@0:-']);
    expect(await steps(cancelledRetrying)).toEqual(['null>pending@0:-', 'pending>processing@1:worker-3', 'processing>retrying@1:worker-3', 'retrying>cancelled@1:worker-3']);
    expect(await steps(cancelledRunning)).toEqual(['null>pending@0:-', 'pending>processing@1:worker-4', 'processing>cancelled@1:worker-4']);
    expect((await getStatusHistory(db, retried))[2].notes).toBe('lease expired (lost_worker); retry 1 of 2');
  });

  it('records a redelivered event once and counts the copies as duplicates', async () => {
    const id = await submitTask(db, topology());
    await waitUntil(async () => (await historyCount(db, id)) === 1, 10_000, 'pending recorded');
    const [original] = await getStatusHistory(db, id);
    const before = await metricValue(history.registry, 'history_events_duplicate_total');
    const copy = { event_id: original.event_id, task_id: id, from_status: null, to_status: 'pending', attempt: 0, worker_id: null, occurred_at: original.occurred_at, notes: 'submitted' };
    await publishRaw([copy, copy, copy], 'task.pending');
    await waitUntil(async () => (await metricValue(history.registry, 'history_events_duplicate_total')) === before + 3, 10_000, 'three duplicates counted');
    expect(await historyCount(db, id)).toBe(1);
    expect((await getStatusHistory(db, id))[0].recorded_at).toBe(original.recorded_at);
  });

  it('dead-letters malformed events with the reason in headers, keeps the good events of the same batch, and keeps flowing', async () => {
    const dead = await collectMessages(topology().queues.dead);
    const ids = await Promise.all(Array.from({ length: 10 }, () => insertTask(db).then((t) => t.id)));
    const good = ids.map((id) => buildTaskEvent({ taskId: id, from: null, to: 'pending', attempt: 0, workerId: null, notes: 'direct' }));
    const nul = buildTaskEvent({ taskId: ids[0], from: 'pending', to: 'processing', attempt: 1, workerId: 'w', notes: 'NUL \u0000 byte' });
    const orphan = buildTaskEvent({ taskId: randomUUID(), from: null, to: 'pending', attempt: 0, workerId: null, notes: 'no such task' });
    const { to_status: _dropped, ...missingField } = buildTaskEvent({ taskId: ids[1], from: 'pending', to: 'processing', attempt: 1, workerId: 'w', notes: '' });
    // one burst: bad ones in the middle of good ones, so they share batches
    await publishRaw([...good.slice(0, 5), Buffer.from('{"event_id": oops'), nul, orphan, missingField, ...good.slice(5)]);

    const letters = await dead.waitFor(4, 10_000);
    const byReason = new Map(letters.map((m) => [m.properties.headers?.['x-dead-letter-reason'] as string, m]));
    expect([...byReason.keys()].sort()).toEqual(['invalid_json', 'rejected_by_database', 'schema_violation', 'unknown_task']);
    expect(byReason.get('invalid_json')!.content.toString()).toBe('{"event_id": oops');
    expect(byReason.get('schema_violation')!.properties.headers?.['x-dead-letter-detail']).toContain('to_status');
    expect(byReason.get('rejected_by_database')!.properties.headers?.['x-dead-letter-detail']).toMatch(/22021|UTF8/);
    expect(byReason.get('unknown_task')!.properties).toMatchObject({ messageId: expect.any(String), correlationId: 'corr-raw' });
    expect(byReason.get('unknown_task')!.properties.headers).toMatchObject({ 'x-original-queue': topology().queues.history, 'x-original-routing-key': 'task.processing' });

    await waitUntil(async () => (await db.statusHistory.count({ where: { taskId: { in: ids } } })) === 10, 10_000, 'all good events recorded');
    expect(await db.statusHistory.count({ where: { eventId: { in: [nul.event_id, orphan.event_id] } } })).toBe(0);
    // the queue keeps flowing after the bad ones
    const later = await submitTask(db, topology());
    await waitUntil(async () => (await historyCount(db, later)) === 1, 10_000, 'a later event recorded');
    expect(await metricValue(history.registry, 'history_events_dead_lettered_total', { reason: 'invalid_json' })).toBe(1);
    await dead.close();
  });

  it('reports health and exposes Prometheus metrics, including a millisecond lag histogram', async () => {
    const id = await submitTask(db, topology());
    await waitUntil(async () => (await historyCount(db, id)) === 1, 10_000, 'pending recorded');
    const health = await fetch(`${history.baseUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', service: 'history', database_status: 'up', queue_status: 'up' });
    const metrics = await (await fetch(`${history.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/^history_events_recorded_total [1-9]\d*$/m);
    expect(metrics).toMatch(/^history_events_duplicate_total \d+$/m);
    expect(metrics).toMatch(/^history_event_lag_seconds_count [1-9]\d*$/m);
    expect(metrics).toContain('history_event_lag_seconds_bucket{le="0.001"}');
    expect(metrics).toContain('history_event_lag_seconds_bucket{le="0.002"}');
    expect((await fetch(`${history.baseUrl}/nope`)).status).toBe(404);
  });

  it('the verification command passes on histories recorded by the service', async () => {
    const t = topology();
    const id = await submitTask(db, t);
    await claim(db, t, id, 'worker-9');
    await transition(db, t, id, 'retrying', { notes: 'retry 1 of 2' });
    await claim(db, t, id, 'worker-9');
    await transition(db, t, id, 'completed', { notes: 'done' });
    await waitUntil(async () => (await historyCount(db, id)) === 5, 10_000, 'five rows recorded');
    const out: string[] = [];
    const code = await verifyCli(['--settle-ms', '0', '--json'], { DATABASE_URL: env.databaseUrl }, { out: (text) => out.push(text), err: (text) => out.push(text) });
    const report = JSON.parse(out.join('\n'));
    expect(report.summary).toMatchObject({ ok: true, gaps: 0, duplicates: 0, inconsistencies: 0 });
    expect(report.summary.tasks_checked).toBeGreaterThanOrEqual(1);
    expect(code).toBe(0);
  });
});
