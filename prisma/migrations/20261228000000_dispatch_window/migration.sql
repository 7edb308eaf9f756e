-- Issue 21, fair sharing between runs: the broker holds a window of dispatched tasks, and the
-- dispatcher (shared/src/task-store/dispatcher.ts) picks the next ones round-robin across runs.
--
-- tasks.dispatched_at: when the task's dispatch message was (or, for a delayed retry, will be)
-- due in the broker; NULL = a pending task still waiting for its turn. correlation_id: the
-- submitting request's, carried by the dispatch message written later.
ALTER TABLE "tasks" ADD COLUMN "dispatched_at" TIMESTAMPTZ(3), ADD COLUMN "correlation_id" TEXT;

-- Tasks waiting before this migration already have their dispatch message in the broker.
UPDATE "tasks" SET "dispatched_at" = "created_at" WHERE "status" IN ('pending', 'retrying');

-- The dispatcher's loose index scan over lanes (a run, or all tasks outside runs: the nil uuid),
-- and each lane's next task by priority and age.
CREATE INDEX "tasks_undispatched_idx" ON "tasks"((COALESCE("run_id", '00000000-0000-0000-0000-000000000000'::uuid)), "priority" DESC, "created_at", "id")
    WHERE "status" = 'pending' AND "dispatched_at" IS NULL;

-- The window: tasks dispatched and not yet claimed.
CREATE INDEX "tasks_dispatched_waiting_idx" ON "tasks"("dispatched_at")
    WHERE "status" IN ('pending', 'retrying') AND "dispatched_at" IS NOT NULL;
