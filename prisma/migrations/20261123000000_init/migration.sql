-- Initial schema: tasks, status_history, task_logs, workers, outbox (DESIGN.md "Data").

CREATE TABLE "tasks" (
    "id" UUID NOT NULL,
    "problem_id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "priority" SMALLINT NOT NULL DEFAULT 0,
    "agent_config" JSONB NOT NULL,
    "max_steps" INTEGER NOT NULL,
    "timeout_minutes" INTEGER NOT NULL,
    "max_retries" INTEGER NOT NULL,
    "attempt" INTEGER NOT NULL DEFAULT 0,
    "callback_url" TEXT,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "parameters" JSONB NOT NULL DEFAULT '{}',
    "idempotency_key" TEXT,
    "idempotency_fingerprint" TEXT,
    "worker_id" TEXT,
    "lease_expires_at" TIMESTAMPTZ(3),
    "cancel_requested_at" TIMESTAMPTZ(3),
    "result" JSONB,
    "error" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    CONSTRAINT "tasks_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "tasks_status_check" CHECK ("status" IN ('pending', 'processing', 'retrying', 'completed', 'failed', 'timed_out', 'cancelled')),
    CONSTRAINT "tasks_priority_check" CHECK ("priority" BETWEEN 0 AND 9)
);

CREATE UNIQUE INDEX "tasks_idempotency_key_key" ON "tasks"("idempotency_key");
CREATE INDEX "tasks_created_idx" ON "tasks"("created_at" DESC, "id" DESC);
CREATE INDEX "tasks_status_created_idx" ON "tasks"("status", "created_at" DESC, "id" DESC);
CREATE INDEX "tasks_problem_created_idx" ON "tasks"("problem_id", "created_at" DESC, "id" DESC);
CREATE INDEX "tasks_worker_created_idx" ON "tasks"("worker_id", "created_at" DESC, "id" DESC);
-- The reaper scans only live leases.
CREATE INDEX "tasks_lease_idx" ON "tasks"("lease_expires_at") WHERE "status" = 'processing';

CREATE TABLE "status_history" (
    "sequence" BIGSERIAL NOT NULL,
    "event_id" UUID NOT NULL,
    "task_id" UUID NOT NULL,
    "from_status" TEXT,
    "to_status" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "worker_id" TEXT,
    "notes" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "status_history_pkey" PRIMARY KEY ("sequence")
);

CREATE UNIQUE INDEX "status_history_event_id_key" ON "status_history"("event_id");
CREATE INDEX "status_history_task_idx" ON "status_history"("task_id", "occurred_at", "sequence");

CREATE TABLE "task_logs" (
    "task_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "attempt" INTEGER NOT NULL,
    "ts" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "stream" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    CONSTRAINT "task_logs_pkey" PRIMARY KEY ("task_id", "seq")
);

CREATE TABLE "workers" (
    "id" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "cluster_name" TEXT,
    "backend" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "current_task_id" UUID,
    "version" TEXT NOT NULL,
    "registered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_heartbeat_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "workers_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "workers_status_check" CHECK ("status" IN ('idle', 'busy', 'draining', 'offline'))
);

CREATE INDEX "workers_status_idx" ON "workers"("status");

CREATE TABLE "outbox" (
    "id" BIGSERIAL NOT NULL,
    "message_id" UUID NOT NULL,
    "exchange" TEXT NOT NULL,
    "routing_key" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "headers" JSONB NOT NULL DEFAULT '{}',
    "available_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "outbox_message_id_key" ON "outbox"("message_id");
-- The relay reads only unpublished rows, oldest due first.
CREATE INDEX "outbox_due_idx" ON "outbox"("available_at", "id") WHERE "published_at" IS NULL;

-- The problem catalog: refreshed from the runner (`--list-problems`), seeded from the checked-in
-- default list when empty. Submissions naming an unknown problem are rejected.
CREATE TABLE "problems" (
    "id" TEXT NOT NULL,
    "task_type" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "problems_pkey" PRIMARY KEY ("id")
);
