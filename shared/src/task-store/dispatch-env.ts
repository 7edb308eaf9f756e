import type { DispatchWindow } from '../tables/tasks-dispatch';

/** The dispatch window's settings: the api and the workers both dispatch, so both read them (spread into each config schema). */
export interface DispatchEnv {
  DISPATCH_WINDOW_MIN: number;
  DISPATCH_WINDOW_PER_WORKER: number;
}

export const dispatchEnvProperties = {
  DISPATCH_WINDOW_MIN: {
    type: 'integer',
    minimum: 1,
    maximum: 100000,
    default: 10,
    description: 'the broker holds at least this many dispatched, unclaimed tasks when that many wait (docs/messaging.md, "Fair sharing")',
  },
  DISPATCH_WINDOW_PER_WORKER: {
    type: 'number',
    minimum: 0,
    maximum: 1000,
    default: 2,
    description: 'and up to this many per live worker (idle, busy or preparing); a larger window is a longer queue for a run submitted later',
  },
} as const;

export function dispatchWindowOf(env: DispatchEnv): DispatchWindow {
  return { min: env.DISPATCH_WINDOW_MIN, perWorker: env.DISPATCH_WINDOW_PER_WORKER };
}

/** The window with the defaults above (tests, and tools that dispatch without a config). */
export const DEFAULT_DISPATCH_WINDOW: DispatchWindow = {
  min: dispatchEnvProperties.DISPATCH_WINDOW_MIN.default,
  perWorker: dispatchEnvProperties.DISPATCH_WINDOW_PER_WORKER.default,
};
