import { topologyNames } from '../amqp/topology';
import { createPrismaClient, Db } from '../db/prisma-client';
import { createSqlDb, PgSql } from '../db/sql';
import { IllegalTransitionError } from '../domain/task-state-machine';
import { ConflictError } from '../errors/app-error';
import type { DueOutboxRow } from '../tables/outbox';
import { isTaskStateConflict, TaskStateConflictError } from './task-state-conflict';
import { createTaskStore, TaskStore } from './task-store';
import { createTestEnv, TestEnv } from '../../../tests/support/test-env';
import { insertTask } from '../../../tests/support/builders';
import { testDispatch } from '../../../tests/support/test-dispatch';

describe('the task store changes a task, then publishes what it wrote', () => {
  let env: TestEnv;
  let db: Db;
  let sql: PgSql;
  let store: TaskStore;
  /** What the store handed its relay after each commit: the rows to publish directly, or undefined (wake a pass). */
  let committed: (readonly DueOutboxRow[] | undefined)[];
  const topology = topologyNames('t.');

  beforeAll(async () => {
    env = await createTestEnv();
    db = createPrismaClient(env.databaseUrl);
    sql = createSqlDb(env.databaseUrl, 8);
    store = createTaskStore({ db: sql, topology, dispatch: testDispatch, outbox: { committed: (direct) => void committed.push(direct) } });
  });
  beforeEach(() => {
    committed = [];
  });
  afterAll(async () => {
    await sql.$disconnect();
    await db.$disconnect();
    await env.drop();
  });

  const refusalOf = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error);

  it('moves the task and writes exactly one event to the outbox inside a transaction, and wakes the relay once it committed', async () => {
    const task = await insertTask(db);
    const { from, task: claimed } = await store.inTransaction(async (tx) => {
      const moved = await tx.transition({ taskId: task.id, to: 'processing', data: { attempt: { increment: 1 }, workerId: 'w1' }, notes: 'claimed by w1' });
      expect(committed).toEqual([]); // nothing is published before the commit
      return moved;
    });
    expect(committed).toEqual([undefined]);
    expect(from).toBe('pending');
    expect(claimed).toMatchObject({ status: 'processing', attempt: 1, workerId: 'w1' });
    const outbox = await db.outboxMessage.findMany({ where: { payload: { path: ['task_id'], equals: task.id } } });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ exchange: 't.task.events', routingKey: 'task.processing' });
    expect(outbox[0].payload).toMatchObject({ task_id: task.id, from_status: 'pending', to_status: 'processing', attempt: 1, worker_id: 'w1', notes: 'claimed by w1' });
  });

  it('fills the event from the changed row and appends the log line in the same statement', async () => {
    const task = await insertTask(db, { status: 'retrying', attempt: 1 });
    const result = await store.transition({
      taskId: task.id,
      to: 'processing',
      from: ['pending', 'retrying'],
      attempt: 1,
      noCancelRequested: true,
      data: { attempt: { increment: 1 }, workerId: 'w9', leaseForMs: 60_000 },
      notes: 'claimed by w9 (attempt 2)',
      logLines: [{ ts: new Date(), stream: 'system', level: 'info', message: 'claimed' }],
    });
    expect(result.from).toBe('retrying');
    expect(result.task).toMatchObject({ status: 'processing', attempt: 2, workerId: 'w9' });
    expect(result.task.leaseExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 50_000);
    const outbox = await db.outboxMessage.findMany({ where: { payload: { path: ['task_id'], equals: task.id } } });
    expect(outbox).toHaveLength(1);
    expect(outbox[0].payload).toMatchObject({ from_status: 'retrying', to_status: 'processing', attempt: 2, worker_id: 'w9', notes: 'claimed by w9 (attempt 2)' });
    expect(outbox[0].headers).toMatchObject({ type: 'task.transition', callback: false }); // the task has no callback_url
    const logs = await db.taskLog.findMany({ where: { taskId: task.id } });
    expect(logs.map((l) => [l.seq, l.attempt, l.message])).toEqual([[1, 1, 'claimed']]);
  });

  it('says in the event whether the task has a callback_url; a transition that committed on its own is published by the store at once', async () => {
    const task = await insertTask(db, { callbackUrl: 'https://example.org/hook' });
    const result = await store.transition({ taskId: task.id, to: 'cancelled', notes: 'cancelled by request' });
    const [row] = await db.outboxMessage.findMany({ where: { payload: { path: ['task_id'], equals: task.id } } });
    expect(row.headers).toMatchObject({ callback: true });
    expect(row.availableAt!.getTime()).toBeGreaterThan(Date.now() + 5_000); // no relay takes it while its writer publishes it
    const announced = [expect.objectContaining({ id: row.id, message_id: row.messageId, routing_key: 'task.cancelled', headers: expect.objectContaining({ callback: true }) })];
    expect(result.announced).toEqual(announced);
    expect(committed).toEqual([announced]);
    // Inside a transaction nothing is committed when the transition returns: the relay publishes.
    const other = await insertTask(db);
    const inside = await store.inTransaction((tx) => tx.transition({ taskId: other.id, to: 'cancelled', notes: 'cancelled by request' }));
    expect(inside.announced).toBeUndefined();
    expect(committed[1]).toBeUndefined();
    const [relayed] = await db.outboxMessage.findMany({ where: { payload: { path: ['task_id'], equals: other.id } } });
    expect(relayed.availableAt!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    expect(relayed.headers).toMatchObject({ callback: false });
  });

  it('refuses an illegal transition with a conflict that says so, and writes nothing', async () => {
    const task = await insertTask(db, { status: 'completed' });
    const before = await db.outboxMessage.count();
    const error = await refusalOf(store.transition({ taskId: task.id, to: 'processing', notes: 'x' }));
    expect(error).toBeInstanceOf(TaskStateConflictError);
    expect(error).toMatchObject({ reason: 'illegal_transition', message: expect.stringMatching(/already completed/) });
    expect(await db.outboxMessage.count()).toBe(before);
    expect(committed).toEqual([]); // nothing written, nothing to publish
    expect((await db.task.findUniqueOrThrow({ where: { id: task.id } })).status).toBe('completed');
  });

  it('a `from` the state machine forbids is a bug: IllegalTransitionError before anything is sent', async () => {
    const task = await insertTask(db);
    await expect(store.transition({ taskId: task.id, to: 'completed', from: ['pending'], notes: 'x' })).rejects.toThrow(IllegalTransitionError);
  });

  it('says which guard failed (owner, attempt, cancel request), with the row it read, and writes nothing', async () => {
    const owned = await insertTask(db, { status: 'processing', attempt: 2, workerId: 'w2' });
    const cancelled = await insertTask(db, { status: 'processing', attempt: 1, workerId: 'w1' });
    await db.task.update({ where: { id: cancelled.id }, data: { cancelRequestedAt: new Date() } });
    const before = await db.outboxMessage.count();
    const finish = (taskId: string, guards: { attempt: number; workerId: string }) =>
      refusalOf(store.transition({ taskId, to: 'completed', from: ['processing'], ...guards, noCancelRequested: true, notes: 'done', logLines: [{ ts: new Date(), stream: 'system', level: 'info', message: 'done' }] }));
    expect(await finish(owned.id, { workerId: 'w1', attempt: 2 })).toMatchObject({ reason: 'worker', message: expect.stringMatching(/held by w2, not w1/) });
    expect(await finish(owned.id, { workerId: 'w2', attempt: 1 })).toMatchObject({ reason: 'attempt', message: expect.stringMatching(/attempt 2, not 1/) });
    expect(await finish(cancelled.id, { workerId: 'w1', attempt: 1 })).toMatchObject({ reason: 'cancel_requested', current: { id: cancelled.id, status: 'processing' } });
    expect(await db.outboxMessage.count()).toBe(before);
    expect(await db.taskLog.count({ where: { taskId: { in: [cancelled.id, owned.id] } } })).toBe(0);
  });

  it('lets exactly one of many concurrent claims win; the others get the lost-race conflict', async () => {
    const task = await insertTask(db);
    const claims = Array.from({ length: 8 }, (_, i) =>
      store.transition({ taskId: task.id, to: 'processing', from: ['pending', 'retrying'], attempt: 0, data: { attempt: { increment: 1 }, workerId: `w${i}` }, notes: `claimed by w${i}` }),
    );
    const results = await Promise.allSettled(claims);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(isTaskStateConflict(r.reason)).toBe(true);
    expect(await db.outboxMessage.count({ where: { payload: { path: ['task_id'], equals: task.id } } })).toBe(1);
    expect((await db.task.findUniqueOrThrow({ where: { id: task.id } })).attempt).toBe(1);
  });
});

describe('isTaskStateConflict', () => {
  it('recognises the conflict by name (also across module copies), and nothing else', () => {
    expect(isTaskStateConflict(new TaskStateConflictError('t', 'moved', 'processing'))).toBe(true);
    expect(isTaskStateConflict(Object.assign(new Error('from another copy'), { name: 'TaskStateConflictError' }))).toBe(true);
    expect(isTaskStateConflict(new ConflictError('task_finished', 'done'))).toBe(false);
    expect(isTaskStateConflict(new Error('x'))).toBe(false);
    expect(isTaskStateConflict(null)).toBe(false);
  });
});

describe('a task store transaction', () => {
  let env: TestEnv;
  let db: Db;
  beforeAll(async () => {
    env = await createTestEnv();
    db = createPrismaClient(env.databaseUrl);
  });
  afterAll(async () => {
    await db.$disconnect();
    await env.drop();
  });

  it("honours its timeout (a whole run's creation needs more than Prisma's 5 s)", async () => {
    const store = createTaskStore({ db, topology: topologyNames('tt.'), dispatch: testDispatch, outbox: { committed: () => undefined } });
    const slow = (timeoutMs: number) => store.inTransaction((tx) => tx.sql.$executeRawUnsafe('SELECT pg_sleep(0.3)'), { timeoutMs });
    await expect(slow(100)).rejects.toThrow(/timeout|expired/i);
    await expect(slow(5000)).resolves.toBeDefined();
  });
});
