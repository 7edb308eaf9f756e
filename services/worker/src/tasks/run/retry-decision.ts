import { BackoffPolicy, retryDelayMs } from '@aiopslab/shared/domain/backoff';

export interface RetryInput {
  /** The attempt that just failed (1-based; the claim counted it). */
  attempt: number;
  maxRetries: number;
  retryable: boolean;
}

export type RetryDecision =
  | { retry: true; retryNumber: number; delayMs: number; notes: string }
  | { retry: false; reason: 'not_retryable' | 'exhausted'; notes: string };

/** "0.2 s", "4.5 s", "40 s", "12 min 30 s". */
export function formatDelay(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 10) return `${Math.round(seconds * 10) / 10} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

/**
 * Whether a failed attempt is retried, and when (pure). max_retries counts retries, so a task
 * runs at most max_retries + 1 times; the delay is the shared exponential backoff with jitter.
 */
export function decideRetry(input: RetryInput, policy: BackoffPolicy, random: () => number = Math.random): RetryDecision {
  if (!input.retryable) return { retry: false, reason: 'not_retryable', notes: 'not retried: the error is not retryable' };
  if (input.attempt > input.maxRetries) {
    const runs = input.maxRetries + 1;
    return { retry: false, reason: 'exhausted', notes: `no retries left (${runs} ${runs === 1 ? 'attempt' : 'attempts'} made)` };
  }
  const retryNumber = input.attempt;
  const delayMs = retryDelayMs(retryNumber, policy, random);
  return { retry: true, retryNumber, delayMs, notes: `retry ${retryNumber} of ${input.maxRetries} in ${formatDelay(delayMs)}` };
}
