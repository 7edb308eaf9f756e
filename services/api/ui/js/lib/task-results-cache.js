import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import { outcomeKnownWithoutResult } from './task-outcome.js';

/** At most this many GET /tasks/{id} at once, so a page of 50 does not open 50 requests. */
const CONCURRENCY = 4;
/** task id → its evaluation dict (or null): a completed task never changes, so it is read once. */
const resultsById = new Map();

async function readResults(ids, signal, onRead) {
  const queue = [...ids];
  const worker = async () => {
    while (queue.length > 0 && !signal.aborted) {
      const id = queue.shift();
      try {
        const task = await api(`/tasks/${encodeURIComponent(id)}`, { signal });
        resultsById.set(id, task.result?.results ?? null);
        onRead();
      } catch (error) {
        if (error.name === 'AbortError') return;
        // Left unread: the cell shows nothing rather than a guess.
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/**
 * The evaluation dicts of the completed tasks whose list row does not say whether they were
 * solved (the api's GET /tasks has no result): read once each with GET /tasks/{id}. Returns a
 * lookup `id → results | undefined (not read yet)`.
 */
export function useTaskResults(tasks) {
  const [, setVersion] = useState(0);
  const missing = tasks.filter((t) => !outcomeKnownWithoutResult(t) && !resultsById.has(t.task_id)).map((t) => t.task_id);
  const key = missing.join(',');
  useEffect(() => {
    if (missing.length === 0) return undefined;
    const controller = new AbortController();
    readResults(missing, controller.signal, () => setVersion((n) => n + 1));
    return () => controller.abort();
  }, [key]);
  return (id) => resultsById.get(id);
}
