import { retryDelayMs } from '@aiopslab/shared/domain/backoff';
import type { Task } from '@aiopslab/shared/tables/tasks';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { TaskEvent } from '@aiopslab/shared/schemas/messages';
import { callbackBody } from './callback-body';
import { CallbackRequest, CallbackResponse, postCallback } from './callback-http';
import type { BackoffPolicy } from '@aiopslab/shared/domain/backoff';
import { sleep } from '@aiopslab/shared/lifecycle/sleep';

export type CallbackOutcome = { delivered: true; attempts: number } | { delivered: false; attempts: number; reason: string; aborted?: boolean };

/** What delivering a callback reads. */
export interface CallbackSettings {
  /** CALLBACK_MAX_ATTEMPTS */
  maxAttempts: number;
  timeoutMs: number;
  /** CALLBACK_ALLOW_PRIVATE */
  allowPrivate: boolean;
  retryPolicy: BackoffPolicy;
}

export interface CallbackDeps {
  settings: CallbackSettings;
  logger: Logger;
  post?: (request: CallbackRequest) => Promise<CallbackResponse>;
  /** Told how each attempt ended (shown on the task); absent = not recorded. */
  recordAttempt?: (status: 'delivered' | 'retrying' | 'failed', error: string | null) => Promise<void>;
}

/** A 408, 429 or 5xx, or no answer at all, may succeed later; other statuses will not. */
function isTransient(response: CallbackResponse): boolean {
  if (response.kind === 'network') return true;
  if (response.kind === 'blocked') return false;
  return response.status === 408 || response.status === 429 || response.status >= 500;
}

function describe(response: CallbackResponse): string {
  if (response.kind === 'response') return response.status >= 300 && response.status < 400 ? `HTTP ${response.status} (redirects are not followed)` : `HTTP ${response.status}`;
  return response.kind === 'blocked' ? `refused target: ${response.reason}` : response.message;
}

/**
 * POSTs a finished task to its callback_url, retrying transient failures with backoff. Each
 * request carries the event id (X-Event-Id / Idempotency-Key) so the receiver can drop the
 * duplicates at-least-once delivery may cause.
 */
export async function deliverCallback(deps: CallbackDeps, task: Task, event: TaskEvent, signal?: AbortSignal): Promise<CallbackOutcome> {
  const { settings } = deps;
  const post = deps.post ?? postCallback;
  const body = callbackBody(task, event);
  const { maxAttempts } = settings;
  let reason = 'not attempted';
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (signal?.aborted) return { delivered: false, attempts: attempt - 1, reason: 'worker shutting down', aborted: true };
    const response = await post({
      url: task.callbackUrl ?? '',
      body,
      headers: { 'x-event-id': event.event_id, 'idempotency-key': event.event_id, 'x-task-id': task.id },
      timeoutMs: settings.timeoutMs,
      allowPrivate: settings.allowPrivate,
      signal,
    });
    if (response.kind === 'response' && response.status >= 200 && response.status < 300) {
      await deps.recordAttempt?.('delivered', null);
      return { delivered: true, attempts: attempt };
    }
    reason = describe(response);
    if (signal?.aborted) return { delivered: false, attempts: attempt, reason: 'worker shutting down', aborted: true };
    const final = !isTransient(response) || attempt === maxAttempts;
    await deps.recordAttempt?.(final ? 'failed' : 'retrying', reason);
    if (!isTransient(response)) return { delivered: false, attempts: attempt, reason };
    deps.logger.info('callback attempt failed', { attempt, reason });
    if (attempt < maxAttempts) await sleep(retryDelayMs(attempt, settings.retryPolicy), signal);
  }
  return { delivered: false, attempts: maxAttempts, reason };
}

/** The callback settings out of the worker's settings. */
export function callbackSettings(settings: { env: { CALLBACK_MAX_ATTEMPTS: number; CALLBACK_TIMEOUT_SECONDS: number; CALLBACK_ALLOW_PRIVATE: boolean }; callbackRetryPolicy: BackoffPolicy }): CallbackSettings {
  const { env } = settings;
  return { maxAttempts: env.CALLBACK_MAX_ATTEMPTS, timeoutMs: Math.round(env.CALLBACK_TIMEOUT_SECONDS * 1000), allowPrivate: env.CALLBACK_ALLOW_PRIVATE, retryPolicy: settings.callbackRetryPolicy };
}
