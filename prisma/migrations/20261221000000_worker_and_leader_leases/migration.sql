-- Leases as rows instead of session-level advisory locks (docs/design-decisions.md, "Leases, not
-- sessions"): an idle worker holds no PostgreSQL session, so PgBouncer in transaction mode works.
--
-- workers.holder: which process holds this WORKER_ID (host/pid/process nonce/instance nonce).
-- Every heartbeat is guarded by it, and renews the lease (last_heartbeat_at); a worker whose
-- heartbeat finds another holder was taken over and stops consuming.
ALTER TABLE "workers" ADD COLUMN "holder" TEXT;

-- One row per fleet-wide role (the reaper): who leads, until when (database clock).
CREATE TABLE "leader_leases" (
    "name" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "leader_leases_pkey" PRIMARY KEY ("name")
);
