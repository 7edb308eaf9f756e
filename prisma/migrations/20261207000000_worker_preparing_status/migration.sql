-- A worker prepares its cluster between tasks (create, reset, recreate, warm-up) with its consumer
-- paused, and reports status 'preparing' meanwhile.
ALTER TABLE "workers" DROP CONSTRAINT "workers_status_check";
ALTER TABLE "workers" ADD CONSTRAINT "workers_status_check" CHECK ("status" IN ('idle', 'busy', 'preparing', 'draining', 'unhealthy', 'offline'));
