import { mkdir } from 'node:fs/promises';
import type { Logger } from '@aiopslab/shared/logging/logger';
import { listProblemsFromRunner } from '../maintenance/refresh-problem-catalog';
import { type HostCheck, ok, problem, skip } from './host-check';

export type RunnerProbe = { listed: true; problems: number; unsupported: number; source: string } | { listed: false; error: string };

export interface RunnerProbeInput {
  runnerCommand: string;
  /** The runner's environment exactly as the worker builds it (RUNNER_ENV_PASSTHROUGH applied). */
  env: Record<string, string>;
  /** WORK_DIR: the worker runs its preflight there. */
  cwd: string;
  timeoutMs: number;
  logger: Logger;
  signal?: AbortSignal;
}

/** The worker's own preflight (`RUNNER_COMMAND --list-problems`), run the way the worker runs it. */
export async function probeRunner(input: RunnerProbeInput): Promise<RunnerProbe> {
  try {
    await mkdir(input.cwd, { recursive: true }); // as the worker does before its preflight
    const listed = await listProblemsFromRunner({ logger: input.logger, runnerCommand: input.runnerCommand, env: { ...input.env }, cwd: input.cwd, timeoutMs: input.timeoutMs, signal: input.signal });
    return { listed: true, problems: listed.problems.length, unsupported: listed.unsupported.length, source: listed.source };
  } catch (error) {
    return { listed: false, error: (error as Error).message };
  }
}

export function checkRunner(probe: RunnerProbe | null, runnerCommand: string): HostCheck {
  const name = 'AIOpsLab runner';
  if (!probe) return skip('runner', name, 'RUNNER_PREFLIGHT=false: the worker does not run its preflight either');
  if (probe.listed) return ok('runner', name, `--list-problems listed ${probe.problems} problems (${probe.unsupported} unsupported) from ${probe.source}`);
  const byHand = `PROTOCOL_FD=3 ${runnerCommand} --list-problems 3>&1 >/dev/null   # shows the runner's own error`;
  if (/cannot start the runner/.test(probe.error)) {
    return problem('runner', name, 'fail', probe.error, 'set RUNNER_COMMAND to the runner\'s absolute path (the worker image\'s is /app/services/worker/runner/bin/aiopslab-runner)');
  }
  if (/within \d+ ms/.test(probe.error)) {
    return problem('runner', name, 'fail', probe.error, `raise DOCTOR_RUNNER_TIMEOUT_SECONDS; importing AIOpsLab needs the tiktoken cache (TIKTOKEN_CACHE_DIR) or network access. To see where it stops: ${byHand}`);
  }
  return problem('runner', name, 'fail', `AIOpsLab does not import: ${probe.error}`, `install AIOpsLab as docs/real-aiopslab.md says (the worker image has it at /opt/aiopslab), then: ${byHand}`);
}
