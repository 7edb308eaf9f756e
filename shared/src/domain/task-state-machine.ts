import { TaskStatus, isTerminal } from './task-status';

/**
 * The whole lifecycle of a task (DESIGN.md "Task state machine"). Pure: every service asks it
 * before writing, and the SQL compare-and-set enforces the same rule against races.
 */
const TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  pending: ['processing', 'cancelled'],
  processing: ['completed', 'failed', 'timed_out', 'cancelled', 'retrying'],
  retrying: ['processing', 'cancelled'],
  completed: [],
  failed: [],
  timed_out: [],
  cancelled: [],
};

export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function allowedTransitions(from: TaskStatus): readonly TaskStatus[] {
  return TRANSITIONS[from];
}

/** Statuses from which `to` can be reached: the `status IN (...)` guard of a transition's update. */
export function sourcesOf(to: TaskStatus): TaskStatus[] {
  return (Object.keys(TRANSITIONS) as TaskStatus[]).filter((from) => TRANSITIONS[from].includes(to));
}

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: TaskStatus,
    readonly to: TaskStatus,
  ) {
    super(
      isTerminal(from)
        ? `task is already ${from}; a finished task never changes again`
        : `a ${from} task cannot become ${to} (allowed: ${TRANSITIONS[from].join(', ')})`,
    );
    this.name = 'IllegalTransitionError';
  }
}

export function assertTransition(from: TaskStatus, to: TaskStatus): void {
  if (!canTransition(from, to)) throw new IllegalTransitionError(from, to);
}
