import { sleep } from '@aiopslab/shared/lifecycle/sleep';

function stoppedError(signal: AbortSignal): Error {
  return new Error(`stopped: ${String((signal.reason as Error)?.message ?? signal.reason)}`);
}

/** Throws once the signal is aborted (the setup budget ran out, the worker stops). */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw stoppedError(signal);
}

/** Waits `ms`, or rejects as soon as the signal aborts. */
export async function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, signal);
  throwIfAborted(signal);
}
