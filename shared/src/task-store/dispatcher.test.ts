import { randomUUID } from 'node:crypto';
import { sleep } from '../lifecycle/sleep';
import { topologyNames } from '../amqp/topology';
import { createPrismaClient, Db } from '../db/prisma-client';
import { createSqlDb, PgSql } from '../db/sql';
import type { DueOutboxRow } from '../tables/outbox';
import { dispatchCounts, dispatchWaitingTasks } from '../tables/tasks-dispatch';
import type { NewTask } from '../tables/tasks-insert';
import { createTaskStore, TaskStore } from './task-store';
import { createTestEnv, TestEnv } from '../../../tests/support/test-env';
import { dispatchErrors } from '../../../tests/support/test-dispatch';

/**
 * The dispatch window and its turns (issue 21, fair sharing between runs), on a real PostgreSQL:
 * every test starts from an empty tasks table and reads what the passes wrote to the outbox.
 */
describe('the dispatcher keeps a window of dispatched tasks and gives runs their turns', () => {
  let env: TestEnv;
  let db: Db;
  let sql: PgSql;
  /** The dispatch messages the stores handed their relay, in order. */
  let published: DueOutboxRow[];
  const topology = topologyNames('d.');
  const storeWith = (window: { min: number; perWorker: number }): TaskStore =>
    createTaskStore({ db: sql, topology, dispatch: { window, onError: (error) => void dispatchErrors.push(error) }, outbox: { committed: (direct) => void published.push(...(direct ?? []).filter((row) => row.routing_key === 'dispatch')) } });

  beforeAll(async () => {
    env = await createTestEnv();
    db = createPrismaClient(env.databaseUrl);
    sql = createSqlDb(env.databaseUrl, 8);
  });
  beforeEach(async () => {
    published = [];
    await sql.$executeRawUnsafe('TRUNCATE tasks, runs, workers, outbox CASCADE');
  });
  afterEach(() => expect(dispatchErrors).toEqual([]));
  afterAll(async () => {
    await sql.$disconnect();
    await db.$disconnect();
    await env.drop();
  });

  const runIds = new Map<string, string>();
  async function runNamed(name: string): Promise<string> {
    const id = randomUUID();
    await sql.$executeRawUnsafe(
      `INSERT INTO runs (id, name, problems, agents, repeats, task_fields, grid_size) VALUES ($1::uuid, $2, '[]', '[]', 1, '{}', 0)`,
      id,
      name,
    );
    runIds.set(id, name);
    return id;
  }
  const tasksOf = (count: number, options: { runId?: string; priority?: number } = {}): NewTask[] =>
    Array.from({ length: count }, (_, i) => ({
      submission: {
        problem_id: 'k8s_target_port-misconfig-detection-1',
        agent_config: { kind: 'scripted', actions: ['submit("Yes")'] },
        max_steps: 5,
        timeout_minutes: 10,
        max_retries: 0,
        priority: options.priority ?? 0,
        metadata: {},
        parameters: {},
      },
      fingerprint: null,
      placement: options.runId ? { runId: options.runId, agentLabel: 'a', repeatIndex: i } : undefined,
    })) as NewTask[];
  /** The lane (run name, or "none") of each task the passes dispatched, in order. */
  async function dispatchedLanes(rows: DueOutboxRow[]): Promise<string[]> {
    const ids = rows.map((row) => (row.payload as { task_id: string }).task_id);
    const found = await sql.$queryRawUnsafe<{ id: string; run_id: string | null }[]>('SELECT id::text, run_id::text FROM tasks WHERE id = ANY($1::uuid[])', ids);
    const laneOf = new Map(found.map((row) => [row.id, row.run_id ? (runIds.get(row.run_id) ?? '?') : 'none']));
    return ids.map((id) => laneOf.get(id) ?? 'missing');
  }
  async function claimSome(store: TaskStore, rows: DueOutboxRow[], count: number): Promise<void> {
    for (const row of rows.slice(0, count)) {
      await store.transition({ taskId: (row.payload as { task_id: string }).task_id, to: 'processing', from: ['pending'], data: { workerId: 'w', attempt: { increment: 1 } }, notes: 'claimed' });
    }
    await store.dispatcher.idle();
  }

  it('dispatches at most the window (max of its minimum and per live worker) and leaves the rest waiting in the database', async () => {
    const store = storeWith({ min: 4, perWorker: 2 });
    await store.submit(tasksOf(20), 'corr-1');
    await store.dispatcher.idle();
    expect(await dispatchCounts(sql)).toEqual({ waiting: 16, dispatched: 4 });
    expect(published).toHaveLength(4);
    expect(published[0]).toMatchObject({ exchange: topology.exchanges.tasks, routing_key: 'dispatch', payload: { attempt: 0 }, headers: { type: 'task.dispatch', correlation_id: 'corr-1', priority: 0 } });

    // Three live workers (idle, busy, preparing) widen it to 6; offline and unhealthy ones do not count.
    for (const [i, status] of ['idle', 'busy', 'preparing', 'offline', 'unhealthy'].entries()) {
      await sql.$executeRawUnsafe(`INSERT INTO workers (id, hostname, backend, version, status) VALUES ($1, 'h', 'none', 'v', $2)`, `w${i}`, status);
    }
    expect(await store.dispatcher.pass()).toBe(2);
    expect(await dispatchCounts(sql)).toEqual({ waiting: 14, dispatched: 6 });
    expect(await store.dispatcher.pass()).toBe(0); // full
  });

  const taskIdsOf = (rows: DueOutboxRow[]) => rows.map((row) => (row.payload as { task_id: string }).task_id);

  it('a submission into a window with room is dispatched by its own INSERT (by priority, then the order given); behind waiting tasks it waits its turn', async () => {
    const store = storeWith({ min: 3, perWorker: 0 });
    const first = await store.submit([...tasksOf(2), ...tasksOf(2, { priority: 5 })]);
    // The statement's own result, before any pass: three dispatched, one waiting for a turn.
    expect(first.waiting).toBe(1);
    expect(taskIdsOf(published)).toEqual([first.ids[2], first.ids[3], first.ids[0]]);
    expect(first.ids.map((id) => first.stored.get(id)?.dispatchedAt !== null)).toEqual([true, false, true, true]);
    await store.dispatcher.idle();
    expect(await dispatchCounts(sql)).toEqual({ waiting: 1, dispatched: 3 }); // the window is full

    // Two claims leave room; their pass gives it to the task that waited, and a later submission
    // is not let past it.
    await claimSome(store, published.splice(0), 2);
    expect(taskIdsOf(published)).toEqual([first.ids[1]]);
    const second = await store.submit(tasksOf(1));
    expect(second.waiting).toBe(0); // nothing waited any more, and there was room
    const third = await store.submit(tasksOf(2));
    expect(third.waiting).toBe(2);
    await store.dispatcher.idle();
    expect(await dispatchCounts(sql)).toEqual({ waiting: 2, dispatched: 3 });
  });

  it("a submission's own dispatches go out by priority, then in the order given, however many share a priority", async () => {
    const store = storeWith({ min: 100, perWorker: 0 });
    const given = Array.from({ length: 100 }, (_, i) => tasksOf(1, { priority: (i * 7) % 3 === 0 ? 5 : i % 2 })[0]);
    const submitted = await store.submit(given);
    expect(submitted.waiting).toBe(0);
    const byPriorityThenGiven = [5, 1, 0].flatMap((priority) => submitted.ids.filter((_, i) => given[i].submission.priority === priority));
    expect(taskIdsOf(published)).toEqual(byPriorityThenGiven);
  });

  it('a submission that finds the dispatch lock taken leaves its tasks waiting, and its nudge tries again once the holder lets go', async () => {
    const store = storeWith({ min: 5, perWorker: 0 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const holding = new Promise<void>((resolve) => (locked = resolve));
    // Another process's pass, holding the lock (with nothing to dispatch) until released.
    const holder = sql.$transaction(async (tx) => {
      expect(await dispatchWaitingTasks(tx, { min: 5, perWorker: 0 }, { exchange: topology.exchanges.tasks, routingKey: 'dispatch' })).toEqual({ dispatched: 0, announced: [] });
      locked();
      await held;
    });
    await holding;
    const submitted = await store.submit(tasksOf(2));
    expect(submitted.waiting).toBe(2);
    expect(published).toEqual([]);
    await sleep(300); // long enough for the nudge's first pass to find the lock taken
    expect(published).toEqual([]);
    release();
    await holder;
    await store.dispatcher.idle();
    expect(taskIdsOf(published).sort()).toEqual([...submitted.ids].sort());
  });

  it('a claim frees room and its pass gives it to the run with the fewest tasks in flight: a small run behind a huge one goes next', async () => {
    const store = storeWith({ min: 4, perWorker: 0 });
    const huge = await runNamed('huge');
    const small = await runNamed('small');
    await store.submit(tasksOf(200, { runId: huge }));
    await store.dispatcher.idle();
    await store.submit(tasksOf(3, { runId: small }));
    await store.dispatcher.idle();
    expect(await dispatchedLanes(published)).toEqual(['huge', 'huge', 'huge', 'huge']); // the window was full before `small` came

    const firstWindow = published.splice(0);
    await claimSome(store, firstWindow, 2);
    // huge has 4 in flight (2 running, 2 dispatched), small none: both free places go to small.
    expect(await dispatchedLanes(published)).toEqual(['small', 'small']);
  });

  it('runs that are level take turns (round-robin), higher priority first, and tasks outside runs share one lane', async () => {
    const store = storeWith({ min: 6, perWorker: 0 });
    const x = await runNamed('x');
    const y = await runNamed('y');
    // Submitted in one transaction so that one pass sees them all.
    await store.inTransaction(async (tx) => {
      await tx.submit(tasksOf(10, { runId: x }));
      await tx.submit(tasksOf(10, { runId: y }));
      await tx.submit(tasksOf(10));
      await tx.submit(tasksOf(1, { runId: y, priority: 5 }));
    });
    await store.dispatcher.idle();
    const lanes = await dispatchedLanes(published);
    expect(lanes[0]).toBe('y'); // the priority-5 task, whatever its lane's turn
    // Then turns: y's priority-5 pick counts against its turn, so x and the tasks outside runs go
    // first, then one each.
    expect(lanes.slice(1).sort()).toEqual(['none', 'none', 'x', 'x', 'y']);
    expect(new Set(lanes.slice(1, 3))).toEqual(new Set(['x', 'none']));
  });

  it('passes running at once never fill the same room twice (one advisory lock for the fleet)', async () => {
    const stores = Array.from({ length: 6 }, () => storeWith({ min: 5, perWorker: 0 }));
    const closedWindow = storeWith({ min: 0, perWorker: 0 }); // its own nudged pass dispatches nothing
    await closedWindow.submit(tasksOf(50));
    await closedWindow.dispatcher.idle();
    const dispatched = await Promise.all(stores.map((store) => store.dispatcher.pass()));
    expect(dispatched.reduce((a, b) => a + b, 0)).toBe(5);
    expect(await dispatchCounts(sql)).toEqual({ waiting: 45, dispatched: 5 });
    const taskIds = published.map((row) => (row.payload as { task_id: string }).task_id);
    expect(new Set(taskIds).size).toBe(5);
  });

  it("cancelling a run's waiting tasks leaves at most the window in the broker, and frees its room for the other runs", async () => {
    const store = storeWith({ min: 3, perWorker: 0 });
    const big = await runNamed('big');
    const other = await runNamed('other');
    await store.submit(tasksOf(1000, { runId: big }));
    await store.dispatcher.idle();
    await store.submit(tasksOf(2, { runId: other }));
    await store.dispatcher.idle();
    expect(published).toHaveLength(3);
    const waitingBig = await sql.$queryRawUnsafe<{ id: string; status: 'pending'; attempt: number }[]>(`SELECT id::text, status, attempt FROM tasks WHERE run_id = $1::uuid AND status = 'pending'`, big);
    await store.inTransaction((tx) => tx.transitionMany(waitingBig, 'cancelled', 'run cancelled'));
    await store.dispatcher.idle();
    const dispatchMessages = await sql.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM outbox WHERE routing_key = 'dispatch'`);
    expect(dispatchMessages[0].n).toBe(5); // the 3 first, then the 2 of `other`: no message for the 997 cancelled before their turn
    expect(await dispatchedLanes(published.slice(3))).toEqual(['other', 'other']);
  });

  it("a retry writes its own dispatch (delayed), counted in the window once it is due, never by a pass", async () => {
    const store = storeWith({ min: 1, perWorker: 0 });
    await store.submit(tasksOf(2));
    await store.dispatcher.idle();
    const [first] = published.splice(0);
    await claimSome(store, [first], 1); // the first runs, and its claim's pass dispatches the second
    expect(published).toHaveLength(1);
    const claimed = (first.payload as { task_id: string }).task_id;
    await store.transition({ taskId: claimed, to: 'retrying', from: ['processing'], dispatch: { attempt: 1, priority: 0, delayMs: 60_000 }, notes: 'retry later' });
    const [row] = await sql.$queryRawUnsafe<{ later: boolean }[]>(`SELECT dispatched_at > now() + interval '50 seconds' AS later FROM tasks WHERE id = $1::uuid`, claimed);
    expect(row.later).toBe(true);
    expect(await dispatchCounts(sql)).toEqual({ waiting: 0, dispatched: 1 }); // the second only: the retry is not due yet
    const retryMessages = await sql.$queryRawUnsafe<{ later: boolean }[]>(`SELECT available_at > now() + interval '50 seconds' AS later FROM outbox WHERE routing_key = 'dispatch' AND payload->>'task_id' = $1`, claimed);
    expect(retryMessages.map((m) => m.later)).toEqual([false, true]); // its first dispatch, and the retry's, due in a minute
  });

  it('dispatches again the waiting tasks whose message is gone, once they are older than the given age, and nothing still in the outbox', async () => {
    const store = storeWith({ min: 3, perWorker: 0 });
    await store.submit(tasksOf(5));
    await store.dispatcher.idle();
    const first = published.splice(0).map((row) => (row.payload as { task_id: string }).task_id);
    expect(first).toHaveLength(3);
    expect(await store.dispatcher.redispatchLost(60_000)).toBe(0); // not old enough
    // One of the three still has its row unpublished in the outbox (a broker that was down): not lost.
    await sql.$executeRawUnsafe(`UPDATE outbox SET published_at = now() WHERE routing_key = 'dispatch' AND payload->>'task_id' <> $1`, first[0]);
    await sql.$executeRawUnsafe(`UPDATE tasks SET dispatched_at = dispatched_at - interval '2 minutes' WHERE dispatched_at IS NOT NULL`);
    expect(await store.dispatcher.redispatchLost(60_000)).toBe(2);
    expect(published.map((row) => (row.payload as { task_id: string }).task_id).sort()).toEqual(first.slice(1).sort());
    expect(await dispatchCounts(sql)).toEqual({ waiting: 2, dispatched: 3 }); // the window is unchanged
    expect(await store.dispatcher.redispatchLost(60_000)).toBe(0); // their new dispatch is fresh
  });
});
