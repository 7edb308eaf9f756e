import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ClusterHandle } from '../../clusters/cluster-provider';
import type { ProblemCleanup } from '../../clusters/cluster-reset';
import { terminateGroup } from './process-group';
import { buildRunnerEnv, SPEC_FILE_NAME } from './runner-env';
import { createWorkDir, removeWorkDir } from './work-dir';

export interface ProblemCleanupOptions {
  /** RUNNER_COMMAND; `--cleanup-problem` is appended and the line run through /bin/sh -c. */
  command: string;
  passthroughEnv: Readonly<Record<string, string>>;
  /** Where the cleanup's working directory is made (beside the attempts' directories). */
  workRoot: string;
  killGraceMs: number;
  /** AIOpsLab's app cleanup deletes namespaces and waits for them: default 10 min. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 600_000;
const OUTPUT_TAIL_CHARS = 4000;

/**
 * The problem's own cleanup after a dirty run (docs/runner-protocol.md "Cleanup after a task"):
 * `RUNNER_COMMAND --cleanup-problem` with the ended task's spec, in the same environment as the
 * task's runner, in its own process group (stopped with it on abort or timeout). Resolves on exit
 * 0; rejects with the runner's last words otherwise.
 */
export function createProblemCleanup(options: ProblemCleanupOptions): ProblemCleanup {
  return async (specFile, signal) => {
    const specText = await readFile(specFile, 'utf8');
    const spec = JSON.parse(specText) as { task_id: string; attempt: number; cluster: ClusterHandle };
    const workDir = path.join(options.workRoot, 'cluster-cleanup');
    await createWorkDir({ workDir, files: [{ name: SPEC_FILE_NAME, content: specText, mode: 0o600 }] });
    try {
      const env = buildRunnerEnv({ passthrough: options.passthroughEnv, workDir, taskId: spec.task_id, attempt: spec.attempt, correlationId: `cleanup-${spec.task_id}`, cluster: spec.cluster });
      await runToExit(`${options.command} --cleanup-problem`, workDir, env, signal, options);
    } finally {
      await removeWorkDir(workDir).catch(() => undefined);
    }
  };
}

function runToExit(command: string, cwd: string, env: Record<string, string>, signal: AbortSignal, options: ProblemCleanupOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    // stdin stays open: it is the runner's lifeline (RUNNER_LIFELINE=stdin), closed when this worker dies.
    const child = spawn('/bin/sh', ['-c', command], { cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.on('error', () => undefined);
    let tail = '';
    const keep = (chunk: Buffer) => {
      tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let stopped: string | null = null;
    const stop = (why: string) => {
      stopped ??= why;
      if (child.pid) void terminateGroup(child.pid, options.killGraceMs);
    };
    const timer = setTimeout(() => stop(`timed out after ${(options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000} s`), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const onAbort = () => stop(String((signal.reason as Error)?.message ?? 'aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    child.once('error', (error) => finish(new Error(`RUNNER_COMMAND --cleanup-problem could not start: ${error.message}`)));
    child.once('close', (code, exitSignal) => {
      if (code === 0 && !stopped) return finish(null);
      const lastLine = tail.trim().split('\n').pop() ?? '';
      const how = stopped ? `was stopped (${stopped})` : exitSignal ? `was killed by ${exitSignal}` : `exited with code ${code}`;
      finish(new Error(`RUNNER_COMMAND --cleanup-problem ${how}${lastLine ? `: ${lastLine}` : ''}`));
    });
    let settled = false;
    function finish(error: Error | null): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      child.stdin.end();
      if (error) reject(error);
      else resolve();
    }
  });
}
