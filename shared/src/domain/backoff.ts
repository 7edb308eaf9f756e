export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_RETRY_BACKOFF: BackoffPolicy = { baseMs: 10_000, capMs: 15 * 60_000 };

/** The delay before try number `retry` (1-based): base * 2^(retry-1), capped. No jitter: for one process's own reconnects and re-reads. */
export function backoffMs(retry: number, policy: BackoffPolicy): number {
  if (!Number.isInteger(retry) || retry < 1) throw new RangeError(`retry must be a positive integer, got ${retry}`);
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(retry - 1, 30));
}

/**
 * Delay before retry number `retry` (1-based): backoffMs with "equal jitter" (half fixed, half
 * random), so retries of a burst of failures (many tasks, many workers) spread out but never come early.
 */
export function retryDelayMs(retry: number, policy: BackoffPolicy = DEFAULT_RETRY_BACKOFF, random: () => number = Math.random): number {
  const exponential = backoffMs(retry, policy);
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
