import type { SqlClient } from '../db/sql';
import { MESSAGE_TYPES } from '../schemas/messages';
import { AnnouncedJsonRow, announcedJson, DIRECT_CLAIM_MS, DueOutboxRow, fromAnnouncedJson, OUTBOX_RETURNING, outboxInsertFrom } from './outbox';

/** How many dispatched, unclaimed tasks the broker may hold: max(min, ceil(perWorker × live workers)). */
export interface DispatchWindow {
  min: number;
  perWorker: number;
}

/** The most tasks one pass dispatches. */
export const DISPATCH_PASS_LIMIT = 1000;
/**
 * A pass of at most this many tasks is published by its writer at once; a larger one is left to
 * the relay's claimed batches, since a writer could not publish thousands within DIRECT_CLAIM_MS
 * (the relay would claim them again and publish them twice).
 */
export const DIRECT_PUBLISH_LIMIT = 100;
const WINDOW_USED = `status IN ('pending', 'retrying') AND dispatched_at IS NOT NULL AND dispatched_at <= statement_timestamp()`;
/** The window's size, from the parameters holding DispatchWindow's min and perWorker. */
const windowSize = (min: string, perWorker: string) => `greatest(${min}::int, ceil(${perWorker}::float8 * (SELECT count(*) FROM workers WHERE status IN ('idle', 'busy', 'preparing')))::int)`;
const WINDOW_SIZE = windowSize('$1', '$2');

/**
 * The outbox INSERT of a dispatch message (as amqp/outbound-messages.ts dispatchMessage builds
 * one) for each row of `cte` (id, attempt, priority, correlation_id), to the exchange and routing
 * key of the given parameters, claimed for `claimMs` (an SQL expression) by its writer.
 */
export function dispatchMessagesOf(cte: string, exchange: string, routingKey: string, claimMs: string): string {
  return outboxInsertFrom(`
    SELECT gen_random_uuid(), ${exchange}::text, ${routingKey}::text, jsonb_build_object('task_id', id, 'attempt', attempt),
           jsonb_build_object('type', '${MESSAGE_TYPES.dispatch}', 'correlation_id', correlation_id, 'priority', priority),
           now() + (${claimMs}) * interval '1 millisecond'
    FROM ${cte} ${OUTBOX_RETURNING}`);
}

/** A task outside any run shares one lane with all the others: the nil uuid. */
const LANE = `COALESCE(run_id, '00000000-0000-0000-0000-000000000000'::uuid)`;
const UNDISPATCHED = `status = 'pending' AND dispatched_at IS NULL`;
/** Every dispatch pass, fleet-wide, runs under this transaction-scoped advisory lock (pooler-safe). */
const DISPATCH_LOCK_KEY = 0x41494f5044n; // "AIOPD"

/**
 * How many of a submission's new tasks its own INSERT dispatches (SQL, from the parameters holding
 * DispatchWindow's min and perWorker): the window's room, at most DIRECT_PUBLISH_LIMIT, when no
 * task waits for its turn (so nobody is passed over: a submission behind a backlog waits for the
 * Dispatcher's turns like every other) and the dispatch lock is free; otherwise 0, and the
 * submission nudges a pass. Under the lock no pass runs meanwhile; one that committed between
 * this statement's snapshot and its lock is not seen, so the window can exceed its size by that
 * pass's tasks (docs/messaging.md, "Fair sharing").
 */
export function submissionDispatchRoom(min: string, perWorker: string): string {
  return `CASE WHEN EXISTS (SELECT 1 FROM tasks WHERE ${UNDISPATCHED}) THEN 0
               WHEN pg_try_advisory_xact_lock(${DISPATCH_LOCK_KEY})
               THEN least(${DIRECT_PUBLISH_LIMIT}, greatest(0, ${windowSize(min, perWorker)} - (SELECT count(*) FROM tasks WHERE ${WINDOW_USED})))::int
               ELSE 0 END`;
}

/**
 * $1 window min, $2 per live worker, $3/$4 the dispatch exchange and routing key, $5 how long the
 * writer claims the outbox rows to publish them itself.
 *
 * Lanes are found by a loose index scan of tasks_undispatched_idx (one probe per lane, however
 * many tasks wait). A lane's candidates are its next `room` tasks by priority and age; each gets
 * a turn = the lane's tasks in flight (dispatched or running) + its rank in the lane (over all
 * priorities, so a lane's higher-priority picks in this pass count against its turn), and the
 * window's room goes by priority, then turn, then age: the lane with the fewest in flight goes
 * first, so the lanes take turns (round-robin) once they are level.
 */
const DISPATCH_WAITING = `
  WITH RECURSIVE
  used AS (SELECT count(*) AS n FROM tasks WHERE ${WINDOW_USED}),
  room AS (SELECT least(${DISPATCH_PASS_LIMIT}, greatest(0, ${WINDOW_SIZE} - used.n))::int AS k FROM used),
  lanes(lane) AS (
    SELECT (SELECT ${LANE} FROM tasks WHERE ${UNDISPATCHED} ORDER BY 1 LIMIT 1) WHERE (SELECT k FROM room) > 0
    UNION ALL
    SELECT (SELECT ${LANE} FROM tasks WHERE ${UNDISPATCHED} AND ${LANE} > lanes.lane ORDER BY 1 LIMIT 1) FROM lanes WHERE lanes.lane IS NOT NULL
  ),
  in_flight AS (
    SELECT ${LANE} AS lane, count(*) AS n FROM tasks
    WHERE status = 'processing' OR (status IN ('pending', 'retrying') AND dispatched_at IS NOT NULL)
    GROUP BY 1
  ),
  candidates AS (
    SELECT c.id, c.priority, c.created_at,
           COALESCE(f.n, 0) + row_number() OVER (PARTITION BY l.lane ORDER BY c.priority DESC, c.created_at, c.id) AS turn
    FROM lanes l
    CROSS JOIN LATERAL (
      SELECT id, priority, created_at FROM tasks WHERE ${UNDISPATCHED} AND ${LANE} = l.lane
      ORDER BY priority DESC, created_at, id LIMIT (SELECT k FROM room)
    ) c
    LEFT JOIN in_flight f ON f.lane = l.lane
    WHERE l.lane IS NOT NULL
  ),
  chosen AS (SELECT id FROM candidates ORDER BY priority DESC, turn, created_at, id LIMIT (SELECT k FROM room)),
  marked AS (
    UPDATE tasks t SET dispatched_at = statement_timestamp() FROM chosen
    WHERE t.id = chosen.id AND t.status = 'pending' AND t.dispatched_at IS NULL
    RETURNING t.id, t.attempt, t.priority, t.correlation_id
  ),
  announced AS (${dispatchMessagesOf('marked', '$3', '$4', `CASE WHEN (SELECT count(*) FROM marked) <= ${DIRECT_PUBLISH_LIMIT} THEN $5::int ELSE 0 END`)}),
  dispatched AS (SELECT count(*)::int AS n FROM marked)
  SELECT n AS dispatched, CASE WHEN n <= ${DIRECT_PUBLISH_LIMIT} THEN ${announcedJson('announced')} END AS announced FROM dispatched`;

/** What a pass did: how many it dispatched, and the outbox rows its writer publishes (null: left to the relay). */
export interface DispatchPass {
  dispatched: number;
  announced: DueOutboxRow[] | null;
}

/**
 * Tops up the broker's window of dispatched tasks with the fairest waiting ones (at most
 * DISPATCH_PASS_LIMIT), in `tx` (which must be a transaction: the advisory lock holds until its
 * end, so two passes never fill the same room). Returns how many, with their dispatch messages'
 * outbox rows claimed for the caller to publish after the commit when `direct` and the pass was
 * small; null when another pass holds the lock (nothing was done: try again shortly).
 */
export async function dispatchWaitingTasks(
  tx: SqlClient,
  window: DispatchWindow,
  route: { exchange: string; routingKey: string },
  options: { direct?: boolean } = {},
): Promise<DispatchPass | null> {
  // synchronous_commit off: a pass lost with a crash of PostgreSQL loses its outbox rows with it,
  // and its tasks are dispatched again by the next pass (a message already published for one is a
  // duplicate, which the claim's compare-and-set drops). A try-lock: a pass that waited would hold
  // a connection (a PgBouncer server connection) while claims need them; the caller retries.
  const [{ locked }] = await tx.$queryRawUnsafe<{ locked: boolean }[]>(
    `SELECT set_config('synchronous_commit', 'off', true) IS NOT NULL AND pg_try_advisory_xact_lock(${DISPATCH_LOCK_KEY}) AS locked`,
  );
  if (!locked) return null;
  // A new statement, so a new snapshot: it sees what the previous pass committed before our lock.
  // Its times are statement_timestamp(), not now(): now() is when our transaction began, maybe
  // before a pass we waited for stamped its tasks, which would then not count as dispatched yet.
  const [row] = await tx.$queryRawUnsafe<{ dispatched: number; announced: AnnouncedJsonRow[] | null }[]>(
    DISPATCH_WAITING,
    window.min,
    window.perWorker,
    route.exchange,
    route.routingKey,
    options.direct ? DIRECT_CLAIM_MS : 0,
  );
  return { dispatched: row.dispatched, announced: row.announced ? fromAnnouncedJson(row.announced) : null };
}

/**
 * Whether any task waits for its turn, and how full the window is: index probes, no lock. A
 * pass is needed only when a task waits (one submitted after this answered is covered by its
 * own submission's pass).
 */
export async function dispatchNeed(db: SqlClient, window: DispatchWindow): Promise<{ waits: boolean; used: number; size: number }> {
  const rows = await db.$queryRawUnsafe<{ waits: boolean; used: number; size: number }[]>(
    `SELECT EXISTS (SELECT 1 FROM tasks WHERE ${UNDISPATCHED}) AS waits, (SELECT count(*) FROM tasks WHERE ${WINDOW_USED})::int AS used, ${WINDOW_SIZE} AS size`,
    window.min,
    window.perWorker,
  );
  return rows[0];
}

/** Tasks waiting for their turn (not in the broker yet) and tasks in the window, for metrics and tests. */
export async function dispatchCounts(db: SqlClient): Promise<{ waiting: number; dispatched: number }> {
  const rows = await db.$queryRawUnsafe<{ waiting: number; dispatched: number }[]>(
    `SELECT (SELECT count(*) FROM tasks WHERE ${UNDISPATCHED})::int AS waiting,
            (SELECT count(*) FROM tasks WHERE ${WINDOW_USED})::int AS dispatched`,
  );
  return rows[0];
}

/**
 * $1 the age in ms, $2/$3 the dispatch exchange and routing key, $4 the writer's claim on the rows.
 * Waiting tasks dispatched longer than $1 ago whose dispatch row is not still in the outbox (a
 * broker that was down) get a new dispatch message; at most 1000 a pass.
 */
const REDISPATCH_LOST = `
  WITH lost AS (
    SELECT t.id FROM tasks t
    WHERE t.status IN ('pending', 'retrying') AND t.dispatched_at IS NOT NULL AND t.dispatched_at < statement_timestamp() - $1::float8 * interval '1 millisecond'
      AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.published_at IS NULL AND o.exchange = $2 AND o.routing_key = $3 AND o.payload->>'task_id' = t.id::text)
    ORDER BY t.dispatched_at LIMIT 1000
    FOR UPDATE OF t SKIP LOCKED
  ),
  marked AS (
    UPDATE tasks t SET dispatched_at = statement_timestamp() FROM lost WHERE t.id = lost.id
    RETURNING t.id, t.attempt, t.priority, t.correlation_id
  ),
  announced AS (${dispatchMessagesOf('marked', '$2', '$3', '$4::int')})
  SELECT ${announcedJson('announced')} AS announced`;

/**
 * Dispatches again the waiting tasks whose message is gone (an operator purged the queue, a
 * broker lost it): without this, each would hold a place in the window for good. Call it only
 * when the dispatch queue holds no ready message: every message published before then was
 * delivered, so a task dispatched before `olderThanMs` and still waiting has lost its own (or a
 * worker is about to claim it: the duplicate is dropped by the claim's compare-and-set).
 */
export async function redispatchLostTasks(db: SqlClient, olderThanMs: number, route: { exchange: string; routingKey: string }, options: { direct?: boolean } = {}): Promise<DueOutboxRow[]> {
  const rows = await db.$queryRawUnsafe<{ announced: AnnouncedJsonRow[] | null }[]>(REDISPATCH_LOST, olderThanMs, route.exchange, route.routingKey, options.direct ? DIRECT_CLAIM_MS : 0);
  return fromAnnouncedJson(rows[0]?.announced ?? []);
}
