import type { SqlClient } from '../db/sql';

/** The reaper's lease row (leader_leases.name). */
export const REAPER_LEASE = 'reaper';

export interface LeaderLeaseState {
  /** Whether `holder` holds the lease now. */
  held: boolean;
  /** The holder named in the row. */
  holder: string;
  /** Remaining life of the lease, on the database clock (≤ 0: expired). */
  expiresInMs: number;
}

/**
 * Takes or renews a leader lease in one statement: it is taken when free or expired, renewed
 * when `holder` has it, and otherwise left alone (the answer then says who holds it and for how
 * long, so the caller tries again only when it may have expired). The upsert locks the row, so
 * of two claimers of an expired lease exactly one wins.
 */
export async function takeLeaderLease(db: SqlClient, name: string, holder: string, ttlMs: number): Promise<LeaderLeaseState> {
  const rows = await db.$queryRawUnsafe<{ holder: string; expiresInMs: number; taken: boolean }[]>(
    `WITH taken AS (
       INSERT INTO leader_leases (name, holder, expires_at) VALUES ($1, $2, now() + $3::float8 * interval '1 millisecond')
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
       WHERE leader_leases.holder = EXCLUDED.holder OR leader_leases.expires_at <= now()
       RETURNING holder, expires_at)
     SELECT holder, (extract(epoch FROM expires_at - now()) * 1000)::float8 AS "expiresInMs", true AS taken FROM taken
     UNION ALL
     SELECT holder, (extract(epoch FROM expires_at - now()) * 1000)::float8, false FROM leader_leases
     WHERE name = $1 AND NOT EXISTS (SELECT 1 FROM taken)`,
    name,
    holder,
    ttlMs,
  );
  const row = rows[0];
  if (!row) return { held: false, holder: '', expiresInMs: 0 }; // deleted between the two halves: try again next time
  return { held: row.taken, holder: row.holder, expiresInMs: row.expiresInMs };
}

/** Gives the lease up (a clean shutdown): the next claimer takes it at once. */
export async function releaseLeaderLease(db: SqlClient, name: string, holder: string): Promise<void> {
  await db.$executeRaw`UPDATE leader_leases SET expires_at = now() WHERE name = ${name} AND holder = ${holder}`;
}
