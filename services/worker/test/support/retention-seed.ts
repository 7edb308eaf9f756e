import type { SqlClient } from '@aiopslab/shared/db/sql';

/**
 * A large tasks table in a few statements (INSERT … SELECT generate_series): task i has
 * status by i % 10 (0-6 completed, 7 failed, 8 processing, 9 retrying — the last carrying an old
 * completed_at to prove that only the status makes a task prunable), finished (i % 60) + 0.5 days
 * ago, three log lines, two history rows, a session and trajectory in its result, and every
 * hundredth a callback record. The expectations below are computed from the same rules, in
 * JavaScript, not from SQL.
 */
export const SEED_LOG_LINES = 3;
export const SEED_HISTORY_ROWS = 2;

export async function seedTasks(db: SqlClient, count: number): Promise<void> {
  await db.$queryRawUnsafe(`TRUNCATE tasks, task_logs, status_history, task_callbacks, task_sessions, runs`);
  await db.$queryRawUnsafe(
    `INSERT INTO tasks (id, problem_id, status, agent_config, max_steps, timeout_minutes, max_retries, attempt, result, created_at, updated_at, completed_at)
     SELECT md5('task' || i)::uuid, 'p-' || (i % 7), s.status, '{}'::jsonb, 10, 30, 0, 1,
            CASE WHEN i % 10 < 8 THEN jsonb_build_object('results', jsonb_build_object('ok', true), 'trajectory', jsonb_build_array(1, 2, 3), 'session', jsonb_build_object('n', i)) END,
            d.at - interval '1 hour', d.at, CASE WHEN i % 10 <> 8 THEN d.at END
     FROM generate_series(1, $1::int) i
     CROSS JOIN LATERAL (SELECT now() - ((i % 60) + 0.5) * interval '1 day' AS at) d
     CROSS JOIN LATERAL (SELECT CASE WHEN i % 10 < 7 THEN 'completed' WHEN i % 10 = 7 THEN 'failed' WHEN i % 10 = 8 THEN 'processing' ELSE 'retrying' END AS status) s`,
    count,
  );
  await db.$queryRawUnsafe(
    `INSERT INTO task_logs (task_id, seq, attempt, stream, level, message)
     SELECT md5('task' || i)::uuid, n, 1, 'stdout', 'info', repeat('x', 200) FROM generate_series(1, $1::int) i, generate_series(1, ${SEED_LOG_LINES}) n`,
    count,
  );
  await db.$queryRawUnsafe(
    `INSERT INTO status_history (event_id, task_id, from_status, to_status, attempt, occurred_at)
     SELECT md5('event' || i || '-' || n)::uuid, md5('task' || i)::uuid, NULL, 'pending', 0, now() FROM generate_series(1, $1::int) i, generate_series(1, ${SEED_HISTORY_ROWS}) n`,
    count,
  );
  await db.$queryRawUnsafe(
    `INSERT INTO task_callbacks (task_id, status, attempts) SELECT md5('task' || i)::uuid, 'delivered', 1 FROM generate_series(100, $1::int, 100) i`,
    count,
  );
  await db.$queryRawUnsafe(`ANALYZE tasks, task_logs, status_history, task_callbacks`);
}

/** How many seeded tasks are finished more than `days` days ago, from the seeding rules. */
export function expectedPrunable(count: number, days: number): { tasks: number; withCallback: number } {
  let tasks = 0;
  let withCallback = 0;
  for (let i = 1; i <= count; i++) {
    const terminal = i % 10 < 8;
    if (terminal && (i % 60) + 0.5 > days) {
      tasks++;
      if (i % 100 === 0) withCallback++;
    }
  }
  return { tasks, withCallback };
}
