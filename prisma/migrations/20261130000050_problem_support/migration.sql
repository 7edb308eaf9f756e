-- Registry problems this service deliberately does not run (AIOpsLab's Flower problems, which need
-- Docker on the host) stay in the catalog with the reason, so a submission naming one gets a 400
-- that says why. NULL = runnable.
ALTER TABLE "problems" ADD COLUMN "unsupported_reason" TEXT;
