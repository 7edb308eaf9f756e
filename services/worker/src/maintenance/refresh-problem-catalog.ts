import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { SqlDb } from '@aiopslab/shared/db/sql';
import type { Logger } from '@aiopslab/shared/logging/logger';
import { replaceProblems, type ProblemEntry, type UnsupportedProblem } from '@aiopslab/shared/catalog/problem-catalog';
import { createAjv } from '@aiopslab/shared/schemas/validator';

const PROTOCOL_FD = 3;
const MAX_PROTOCOL_BYTES = 16 * 1024 * 1024;
const DEFAULT_SOURCE = 'runner --list-problems';

export interface RefreshProblemCatalogDeps {
  db: SqlDb;
  logger: Logger;
  /** RUNNER_COMMAND; `--list-problems` is appended and the line run through /bin/sh -c. */
  runnerCommand: string;
  /** Environment of the runner (the worker's RUNNER_ENV_PASSTHROUGH selection); PROTOCOL_FD=3 is added. */
  env: Record<string, string | undefined>;
  cwd?: string;
  /** Importing AIOpsLab is slow (tiktoken, kubernetes client): default 120 s. */
  timeoutMs?: number;
  /** Aborting kills the runner's process group (the worker is shutting down). */
  signal?: AbortSignal;
}

export type RefreshOutcome = { refreshed: true; count: number; unsupported: number; source: string } | { refreshed: false; reason: string };

export interface ListedProblems {
  problems: ProblemEntry[];
  unsupported: UnsupportedProblem[];
  source: string;
}

const taskType = { enum: ['detection', 'localization', 'analysis', 'mitigation'] } as const;
const problemId = { type: 'string', minLength: 1, maxLength: 200 } as const;

/** The `problems` line of docs/runner-protocol.md ("Listing problems"). */
const problemsLineSchema = {
  type: 'object',
  required: ['type', 'problems'],
  properties: {
    type: { const: 'problems' },
    source: { type: 'string', minLength: 1, maxLength: 500 },
    problems: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['id', 'task_type'],
        properties: { id: problemId, task_type: taskType },
      },
    },
    unsupported: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'task_type', 'reason'],
        properties: { id: problemId, task_type: taskType, reason: { type: 'string', minLength: 1, maxLength: 2000 } },
      },
    },
  },
} as const;
const validateProblemsLine = createAjv().compile<{ type: 'problems'; source?: string; problems: ProblemEntry[]; unsupported?: UnsupportedProblem[] }>(problemsLineSchema);

/**
 * Asks the runner for AIOpsLab's problem registry and replaces the catalog with it. Any failure is
 * logged and the current catalog stays: a worker must start even when the runner cannot list.
 */
export async function refreshProblemCatalog(deps: RefreshProblemCatalogDeps): Promise<RefreshOutcome> {
  try {
    return await storeProblemCatalog(deps, await listProblemsFromRunner(deps));
  } catch (error) {
    const reason = (error as Error).message;
    deps.logger.warn('problem catalog refresh failed; keeping the current catalog', { reason });
    return { refreshed: false, reason };
  }
}

/** Replaces the catalog with what the runner listed. */
export async function storeProblemCatalog(deps: Pick<RefreshProblemCatalogDeps, 'db' | 'logger'>, listed: ListedProblems): Promise<RefreshOutcome & { refreshed: true }> {
  const { problems, unsupported, source } = listed;
  await replaceProblems(deps.db, problems, source, unsupported);
  const byType: Record<string, number> = {};
  for (const problem of problems) byType[problem.task_type] = (byType[problem.task_type] ?? 0) + 1;
  deps.logger.info('problem catalog refreshed from the runner', { count: problems.length, by_task_type: byType, unsupported: unsupported.map((p) => p.id), source });
  return { refreshed: true, count: problems.length, unsupported: unsupported.length, source };
}

/** Parses the protocol output: the first valid `problems` line wins; other lines are ignored. */
export function parseProblemsOutput(output: string): ListedProblems {
  for (const line of output.split('\n')) {
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      continue;
    }
    if ((event as { type?: unknown })?.type !== 'problems') continue;
    if (!validateProblemsLine(event)) {
      const first = validateProblemsLine.errors?.[0];
      throw new Error(`invalid problems line: ${first?.instancePath || '(line)'} ${first?.message ?? ''}`.trim());
    }
    const problems = event.problems.map((p) => ({ id: p.id, task_type: p.task_type }));
    const unsupported = (event.unsupported ?? []).map((p) => ({ id: p.id, task_type: p.task_type, reason: p.reason }));
    const ids = [...problems, ...unsupported].map((p) => p.id);
    const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
    if (duplicate) throw new Error(`invalid problems line: problem id ${duplicate} appears twice`);
    return { problems, unsupported, source: event.source ?? DEFAULT_SOURCE };
  }
  throw new Error('the runner wrote no problems line on the protocol fd');
}

/** Runs `RUNNER_COMMAND --list-problems`; rejects with what went wrong (the worker's preflight). */
export function listProblemsFromRunner(deps: Omit<RefreshProblemCatalogDeps, 'db'>): Promise<ListedProblems> {
  const timeoutMs = deps.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', `${deps.runnerCommand} --list-problems`], {
      cwd: deps.cwd,
      env: { ...deps.env, PROTOCOL_FD: String(PROTOCOL_FD) },
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      detached: true, // its own process group, so a timeout kills the whole runner
    });
    let protocol = '';
    let stderrTail = '';
    let timedOut = false;
    (child.stdio[PROTOCOL_FD] as Readable).on('data', (chunk: Buffer) => {
      if (protocol.length < MAX_PROTOCOL_BYTES) protocol += chunk.toString('utf8');
    });
    child.stdout?.resume();
    child.stderr?.on('data', (chunk: Buffer) => (stderrTail = (stderrTail + chunk.toString('utf8')).slice(-2000)));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    const abort = () => killGroup(child.pid);
    deps.signal?.addEventListener('abort', abort, { once: true });
    child.once('close', () => deps.signal?.removeEventListener('abort', abort));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start the runner: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return reject(new Error(`the runner did not list its problems within ${timeoutMs} ms`));
      try {
        const listed = parseProblemsOutput(protocol);
        if (code !== 0) deps.logger.warn('the runner listed its problems but exited with an error', { exit_code: code, signal });
        resolve(listed);
      } catch (error) {
        const exit = code === 0 ? '' : ` (exit ${code ?? signal}${stderrTail.trim() ? `: ${stderrTail.trim().split('\n').slice(-3).join(' | ')}` : ''})`;
        reject(new Error(`${(error as Error).message}${exit}`));
      }
    });
  });
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
