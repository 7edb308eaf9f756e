-- Callback delivery, shown on the task (GET /tasks/{id} `callback`): one row per task that has a
-- callback_url and whose callback was attempted. No row yet = pending.
CREATE TABLE "task_callbacks" (
    "task_id" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "last_attempt_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "task_callbacks_pkey" PRIMARY KEY ("task_id")
);

-- Retention walks finished tasks oldest first (services/worker/src/retention/): only rows with a
-- completed_at are indexed, so the index stays the size of the finished tasks.
CREATE INDEX "tasks_completed_idx" ON "tasks"("completed_at", "id") WHERE "completed_at" IS NOT NULL;
