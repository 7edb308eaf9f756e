import type { BackoffPolicy } from '@aiopslab/shared/domain/backoff';
import type { TaskStatus } from '@aiopslab/shared/domain/task-status';
import type { LogLevel } from '@aiopslab/shared/tables/task-logs';
import { decideRetry } from './retry-decision';
import type { RunOutcome, TaskError } from './run-outcome';
import type { TaskResult } from './run-record';

export interface FinishContext {
  attempt: number;
  maxRetries: number;
  workerId: string;
  timeoutMinutes: number;
  /** cancel_requested_at was set when the attempt ended (read under the row lock). */
  cancelRequested: boolean;
}

/** The one transition that ends an attempt, with its note (status history and last log line). */
export interface FinishPlan {
  to: TaskStatus;
  notes: string;
  level: LogLevel;
  error: TaskError | null;
  result: TaskResult | null;
  /** Set for `retrying`: when the task is dispatched again. */
  retryDelayMs?: number;
  /** A handed-back attempt is not counted against max_retries. */
  uncountAttempt?: boolean;
}

const MAX_NOTES = 2000;

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function failureNote(error: TaskError): string {
  return `${error.kind}${error.phase ? ` in ${error.phase}` : ''}: ${clip(error.message)}`;
}

/**
 * Maps how an attempt ended onto the task's next status (pure). Null when nothing may be written
 * (the lease was lost). A failure while a cancel is pending ends as cancelled, not retried.
 */
export function planFinish(outcome: RunOutcome, result: TaskResult, context: FinishContext, policy: BackoffPolicy, random: () => number = Math.random): FinishPlan | null {
  const plan = ((): FinishPlan | null => {
    switch (outcome.status) {
      case 'fenced':
        return null;
      case 'completed':
        return { to: 'completed', notes: `completed by ${context.workerId} (attempt ${context.attempt})`, level: 'info', error: null, result };
      case 'timed_out':
        return { to: 'timed_out', notes: `timed out after ${context.timeoutMinutes} min; the runner was stopped`, level: 'error', error: outcome.error, result };
      case 'cancelled':
        return { to: 'cancelled', notes: 'cancelled by request', level: 'warn', error: outcome.error, result };
      case 'handed_back':
        if (context.cancelRequested) return { to: 'cancelled', notes: 'cancelled by request', level: 'warn', error: { kind: 'cancelled', message: 'cancelled by request' }, result };
        return {
          to: 'retrying',
          notes:
            outcome.cause === 'environment'
              ? `handed back: the environment of worker ${context.workerId} is broken (${clip(outcome.reason)}); attempt ${context.attempt} is not counted`
              : `handed back: worker ${context.workerId} is shutting down; attempt ${context.attempt} is not counted`,
          level: 'warn',
          error: null,
          result: null,
          retryDelayMs: 0,
          uncountAttempt: true,
        };
      case 'failed': {
        if (context.cancelRequested) return { to: 'cancelled', notes: 'cancelled by request', level: 'warn', error: { kind: 'cancelled', message: 'cancelled by request' }, result };
        const decision = decideRetry({ attempt: context.attempt, maxRetries: context.maxRetries, retryable: outcome.retryable }, policy, random);
        const notes = `${failureNote(outcome.error)}; ${decision.notes}`;
        if (decision.retry) return { to: 'retrying', notes, level: 'warn', error: outcome.error, result: null, retryDelayMs: decision.delayMs };
        return { to: 'failed', notes, level: 'error', error: outcome.error, result };
      }
    }
  })();
  if (plan) plan.notes = clip(plan.notes, MAX_NOTES);
  return plan;
}
