-- Worker health (issue 11 item 6): a worker whose environment is broken (runner not importable,
-- no kubeconfig, no cluster) reports status 'unhealthy' with the reason, and consumes nothing.
ALTER TABLE "workers" DROP CONSTRAINT "workers_status_check";
ALTER TABLE "workers" ADD CONSTRAINT "workers_status_check" CHECK ("status" IN ('idle', 'busy', 'draining', 'unhealthy', 'offline'));
ALTER TABLE "workers" ADD COLUMN "health_reason" TEXT;

-- The full AIOpsLab session of each attempt (issue 11 item 8): the result event may carry a cut
-- copy (1 MiB protocol lines), so the whole session JSON is kept here, with the paths of the
-- attempt's metrics_output/ and trace_output/ files kept under ARTIFACT_DIR.
CREATE TABLE "task_sessions" (
    "task_id" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "session" JSONB,
    "source" TEXT NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "truncated_in_result" BOOLEAN NOT NULL,
    "artifact_dir" TEXT,
    "artifacts" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "task_sessions_pkey" PRIMARY KEY ("task_id", "attempt"),
    CONSTRAINT "task_sessions_source_check" CHECK ("source" IN ('results_dir', 'result_event', 'artifact_file', 'none'))
);

ALTER TABLE "task_sessions" ADD CONSTRAINT "task_sessions_task_id_fkey" FOREIGN KEY ("task_id") REFERENCES "tasks"("id") ON DELETE CASCADE ON UPDATE CASCADE;
