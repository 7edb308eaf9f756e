-- Runs (experiments): a grid of problems × agents × repeats, expanded into ordinary tasks.
-- A run's counts and status are always computed from its tasks (GROUP BY status), never stored.

CREATE TABLE "runs" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    -- The grid as submitted: [{problem_id, task_type}], [{label, agent_config}], repeats, and the
    -- task fields (max_steps, timeout_minutes, priority, max_retries, metadata, callback_url).
    "problems" JSONB NOT NULL,
    "agents" JSONB NOT NULL,
    "repeats" INTEGER NOT NULL,
    "task_fields" JSONB NOT NULL,
    "grid_size" INTEGER NOT NULL,
    "idempotency_key" TEXT,
    "idempotency_fingerprint" TEXT,
    -- Set by DELETE /runs/{id}; cleared by a retry of the run.
    "cancelled_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "runs_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "runs_repeats_check" CHECK ("repeats" >= 1)
);

CREATE UNIQUE INDEX "runs_idempotency_key_key" ON "runs"("idempotency_key");
CREATE INDEX "runs_created_idx" ON "runs"("created_at" DESC, "id" DESC);

-- The few result keys the results table aggregates, kept beside the (possibly multi-MB) result
-- in a generated column so GET /runs/{id}/results never detoasts trajectories. Numbers, booleans
-- and strings are kept only when they have that type, so readers cast (->>'ttd')::float8 without
-- failing on a runner's odd output. jsonb_build_object is only STABLE in general (it accepts any type); over
-- jsonb arguments it is deterministic.
CREATE FUNCTION task_result_summary(result JSONB) RETURNS JSONB LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN result IS NULL THEN NULL ELSE jsonb_strip_nulls(jsonb_build_object(
        'detection', CASE WHEN jsonb_typeof(r->'Detection Accuracy') = 'string' THEN r->'Detection Accuracy' END,
        'success', CASE WHEN jsonb_typeof(r->'success') = 'boolean' THEN r->'success' END,
        'localization', CASE WHEN jsonb_typeof(r->'Localization Accuracy') = 'number' THEN r->'Localization Accuracy' END,
        'ttd', CASE WHEN jsonb_typeof(r->'TTD') = 'number' THEN r->'TTD' END,
        'ttl', CASE WHEN jsonb_typeof(r->'TTL') = 'number' THEN r->'TTL' END,
        'tta', CASE WHEN jsonb_typeof(r->'TTA') = 'number' THEN r->'TTA' END,
        'ttm', CASE WHEN jsonb_typeof(r->'TTM') = 'number' THEN r->'TTM' END,
        'steps', CASE WHEN jsonb_typeof(r->'steps') = 'number' THEN r->'steps' END,
        'in_tokens', CASE WHEN jsonb_typeof(r->'in_tokens') = 'number' THEN r->'in_tokens' END,
        'out_tokens', CASE WHEN jsonb_typeof(r->'out_tokens') = 'number' THEN r->'out_tokens' END,
        'prompt_tokens', CASE WHEN jsonb_typeof(result->'usage'->'prompt_tokens') = 'number' THEN result->'usage'->'prompt_tokens' END,
        'completion_tokens', CASE WHEN jsonb_typeof(result->'usage'->'completion_tokens') = 'number' THEN result->'usage'->'completion_tokens' END,
        'trajectory_steps', CASE WHEN jsonb_typeof(result->'trajectory') = 'array' THEN jsonb_array_length(result->'trajectory') END,
        'run_s', CASE WHEN jsonb_typeof(result->'durations'->'run_s') = 'number' THEN result->'durations'->'run_s' END))
    END
    FROM (SELECT CASE WHEN jsonb_typeof(result->'results') = 'object' THEN result->'results' END AS r) AS results
$$;

-- A task's place in its run's grid: (problem_id, agent_label, repeat_index). retry_of links a
-- retry to the task it replaces; the task no other task replaces is its cell's latest.
ALTER TABLE "tasks"
    ADD COLUMN "run_id" UUID,
    ADD COLUMN "agent_label" TEXT,
    ADD COLUMN "repeat_index" INTEGER,
    ADD COLUMN "retry_of" UUID,
    ADD COLUMN "result_summary" JSONB GENERATED ALWAYS AS (task_result_summary("result")) STORED,
    ADD CONSTRAINT "tasks_run_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE RESTRICT,
    ADD CONSTRAINT "tasks_run_coordinates_check" CHECK (("run_id" IS NULL) = ("agent_label" IS NULL) AND ("run_id" IS NULL) = ("repeat_index" IS NULL));

-- GET /tasks?run_id= (keyset on created_at, id) and a run's export.
CREATE INDEX "tasks_run_created_idx" ON "tasks"("run_id", "created_at" DESC, "id" DESC) WHERE "run_id" IS NOT NULL;
-- A run's counts (GROUP BY status, index-only) and finished_at (max completed_at).
CREATE INDEX "tasks_run_status_idx" ON "tasks"("run_id", "status") INCLUDE ("completed_at") WHERE "run_id" IS NOT NULL;
-- At most one retry per task: two concurrent retries cannot both replace it.
CREATE UNIQUE INDEX "tasks_retry_of_key" ON "tasks"("retry_of") WHERE "retry_of" IS NOT NULL;
