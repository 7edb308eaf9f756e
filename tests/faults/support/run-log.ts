import fs from 'node:fs';

interface RunRecord {
  kind: 'start' | 'end';
  task_id: string;
  attempt: number;
  worker: string;
  pid: number;
  at: number;
  how?: string;
}

export interface Execution {
  taskId: string;
  attempt: number;
  worker: string;
  start: number;
  end: number | null;
  how?: string;
}

/** Pairs the fault runner's start/end records (by pid) into executions. */
export function readExecutions(file: string): Execution[] {
  if (!fs.existsSync(file)) return [];
  const records = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RunRecord);
  const byPid = new Map<number, Execution>();
  for (const record of records) {
    if (record.kind === 'start') byPid.set(record.pid, { taskId: record.task_id, attempt: record.attempt, worker: record.worker, start: record.at, end: null });
    else {
      const execution = byPid.get(record.pid);
      if (execution) Object.assign(execution, { end: record.at, how: record.how });
    }
  }
  return [...byPid.values()];
}

/** Pairs of executions of one task whose time ranges overlap (an unfinished one overlaps all later ones). */
export function overlappingExecutions(executions: Execution[]): [Execution, Execution][] {
  const byTask = new Map<string, Execution[]>();
  for (const e of executions) byTask.set(e.taskId, [...(byTask.get(e.taskId) ?? []), e]);
  const overlaps: [Execution, Execution][] = [];
  for (const runs of byTask.values()) {
    runs.sort((a, b) => a.start - b.start);
    for (let i = 1; i < runs.length; i++) {
      const previous = runs[i - 1];
      if (previous.end === null || previous.end > runs[i].start) overlaps.push([previous, runs[i]]);
    }
  }
  return overlaps;
}

/** Each worker ran at most one task at a time. */
export function workerConcurrencyViolations(executions: Execution[]): [Execution, Execution][] {
  const byWorker = new Map<string, Execution[]>();
  for (const e of executions) byWorker.set(e.worker, [...(byWorker.get(e.worker) ?? []), e]);
  const violations: [Execution, Execution][] = [];
  for (const runs of byWorker.values()) {
    runs.sort((a, b) => a.start - b.start);
    for (let i = 1; i < runs.length; i++) {
      const previous = runs[i - 1];
      if (previous.end !== null && previous.end > runs[i].start) violations.push([previous, runs[i]]);
    }
  }
  return violations;
}
