export const TASK_STATUSES = ['pending', 'processing', 'retrying', 'completed', 'failed', 'timed_out', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const TERMINAL_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'timed_out', 'cancelled'];
/** Statuses a worker may claim from. */
export const CLAIMABLE_STATUSES: readonly TaskStatus[] = ['pending', 'retrying'];

export function isTerminal(status: TaskStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export function isTaskStatus(value: unknown): value is TaskStatus {
  return typeof value === 'string' && (TASK_STATUSES as readonly string[]).includes(value);
}
