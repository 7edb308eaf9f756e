import { randomUUID } from 'node:crypto';
import type { Db, Prisma } from '../../shared/src/db/prisma-client';

/**
 * Inserts a task row directly (bypassing the API) with sensible defaults. It counts as dispatched
 * (dispatched_at set, as if its message were in the broker), so no dispatch pass picks it up;
 * `dispatchedAt: null` makes it wait for its turn like a submitted task.
 */
export async function insertTask(db: Db, overrides: Partial<Prisma.TaskCreateInput> = {}) {
  return db.task.create({
    data: {
      id: randomUUID(),
      problemId: 'k8s_target_port-misconfig-detection-1',
      status: 'pending',
      agentConfig: { kind: 'registry', name: 'gpt', params: {} },
      maxSteps: 30,
      timeoutMinutes: 30,
      maxRetries: 2,
      dispatchedAt: new Date(),
      ...overrides,
    },
  });
}
