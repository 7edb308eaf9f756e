import { AsyncLocalStorage } from 'node:async_hooks';

/** Fields added to every log line written inside a unit of work (a request, a message, a task). */
export interface LogContext {
  correlation_id?: string;
  task_id?: string;
  worker_id?: string;
  [field: string]: unknown;
}

const storage = new AsyncLocalStorage<LogContext>();

export function runWithLogContext<T>(context: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...context }, fn);
}

export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}
