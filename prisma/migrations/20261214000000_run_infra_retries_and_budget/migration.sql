-- Issue 24, items 4 and 6: a run's own budget of automatic retries for infrastructure errors
-- (outcome_class infra_error), and an optional spending limit in USD. Both are additive:
-- existing runs get max_infra_retries 2 and no budget (budget_usd NULL = unlimited).
ALTER TABLE "runs"
    ADD COLUMN "max_infra_retries" INTEGER NOT NULL DEFAULT 2,
    ADD COLUMN "budget_usd" DOUBLE PRECISION,
    ADD CONSTRAINT "runs_max_infra_retries_check" CHECK ("max_infra_retries" BETWEEN 0 AND 10),
    ADD CONSTRAINT "runs_budget_usd_check" CHECK ("budget_usd" IS NULL OR "budget_usd" >= 0);

-- The infra-retry reconciler looks at recently ended run tasks (failed or timed out).
CREATE INDEX "tasks_run_ended_idx" ON "tasks"("completed_at") WHERE "run_id" IS NOT NULL AND "status" IN ('failed', 'timed_out');
