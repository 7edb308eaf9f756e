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
-- in a generated column so GET /runs/{id}/results never detoasts trajectories. Values are kept
-- only when they have the expected type and a bounded size, so readers cast (->>'ttd')::float8
-- without failing on a runner's odd output, and the column always fits in an index entry.
-- jsonb_build_object is only STABLE in general (it accepts any type); over jsonb it is deterministic.
CREATE FUNCTION task_result_number(value JSONB) RETURNS JSONB LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN jsonb_typeof(value) = 'number' AND length(value::text) <= 40 THEN value END
$$;

CREATE FUNCTION task_result_summary(result JSONB) RETURNS JSONB LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN result IS NULL THEN NULL ELSE jsonb_strip_nulls(jsonb_build_object(
        'detection', CASE WHEN jsonb_typeof(r->'Detection Accuracy') = 'string' AND length(r->>'Detection Accuracy') <= 64 THEN r->'Detection Accuracy' END,
        'success', CASE WHEN jsonb_typeof(r->'success') = 'boolean' THEN r->'success' END,
        'localization', task_result_number(r->'Localization Accuracy'),
        'ttd', task_result_number(r->'TTD'),
        'ttl', task_result_number(r->'TTL'),
        'tta', task_result_number(r->'TTA'),
        'ttm', task_result_number(r->'TTM'),
        'steps', task_result_number(r->'steps'),
        'in_tokens', task_result_number(r->'in_tokens'),
        'out_tokens', task_result_number(r->'out_tokens'),
        'prompt_tokens', task_result_number(result->'usage'->'prompt_tokens'),
        'completion_tokens', task_result_number(result->'usage'->'completion_tokens'),
        'trajectory_steps', CASE WHEN jsonb_typeof(result->'trajectory') = 'array' THEN jsonb_array_length(result->'trajectory') END,
        'run_s', task_result_number(result->'durations'->'run_s')))
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
-- A run's counts (GROUP BY status) and finished_at (max completed_at), and everything the
-- results table reads of its tasks: both are index-only scans of the run's entries, never a
-- walk of the heap, where results with whole trajectories make rows wide.
CREATE INDEX "tasks_run_status_idx" ON "tasks"("run_id", "status")
    INCLUDE ("completed_at", "started_at", "id", "agent_label", "problem_id", "repeat_index", "retry_of", "result_summary") WHERE "run_id" IS NOT NULL;
-- At most one retry per task: two concurrent retries cannot both replace it.
CREATE UNIQUE INDEX "tasks_retry_of_key" ON "tasks"("retry_of") WHERE "retry_of" IS NOT NULL;
