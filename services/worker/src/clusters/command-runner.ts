import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';

export interface CommandOptions {
  timeoutMs: number;
  /** Added to the runner's base environment (e.g. KUBECONFIG). */
  env?: Record<string, string>;
  /** Aborting kills the command (SIGKILL) and rejects with an `aborted` CommandError. */
  signal?: AbortSignal;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
}

/** Runs one program with arguments (no shell). Rejects with a CommandError. */
export type CommandRunner = (file: string, args: string[], options: CommandOptions) => Promise<CommandResult>;

/** A command that could not start, exited non-zero, or ran out of time. Match on `name`/`code`. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly code: 'not_found' | 'failed' | 'timed_out' | 'aborted',
    readonly exitCode: number | null,
    readonly stderr: string,
    message: string,
  ) {
    super(message);
    this.name = 'CommandError';
  }
}

const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/**
 * The real runner: execFile with a timeout (SIGKILL, so a wedged `kind create` cannot outlive it).
 * `baseEnv` is the environment of every child (PATH decides which kind/kubectl run).
 */
export function createCommandRunner(baseEnv: Readonly<Record<string, string | undefined>>): CommandRunner {
  return (file, args, options) =>
    new Promise((resolve, reject) => {
      const env = { ...baseEnv, ...options.env };
      const command = [file, ...args].join(' ');
      execFile(file, args, { env, timeout: options.timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8', signal: options.signal }, (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr });
        const failure = error as NodeJS.ErrnoException & { killed?: boolean; code?: string | number | null };
        if (options.signal?.aborted) {
          return reject(new CommandError(command, 'aborted', null, stderr, `${command} stopped: ${abortReason(options.signal)}`));
        }
        if (failure.code === 'ENOENT') {
          return reject(new CommandError(command, 'not_found', null, '', `${file} is not on PATH`));
        }
        if (failure.killed) {
          return reject(new CommandError(command, 'timed_out', null, stderr, `${command} timed out after ${options.timeoutMs} ms`));
        }
        const exitCode = typeof failure.code === 'number' ? failure.code : null;
        const detail = stderr.trim().split('\n').slice(-5).join(' | ');
        reject(new CommandError(command, 'failed', exitCode, stderr, `${command} exited with ${exitCode ?? 'a signal'}${detail ? `: ${detail}` : ''}`));
      });
    });
}

/**
 * The same runner, with every command tied to whatever signal `current()` returns at the call: a
 * call after the abort rejects at once, so loops that poll through it end too.
 */
export function abortableRunner(run: CommandRunner, current: () => AbortSignal | null): CommandRunner {
  return (file, args, options) => {
    const signal = current();
    if (signal?.aborted) return Promise.reject(new CommandError([file, ...args].join(' '), 'aborted', null, '', `${file} not run: ${abortReason(signal)}`));
    return run(file, args, signal ? { ...options, signal } : options);
  };
}

export function isAborted(error: unknown): boolean {
  return (error as CommandError)?.name === 'CommandError' && (error as CommandError).code === 'aborted';
}

function abortReason(signal: AbortSignal): string {
  const reason = signal.reason as { message?: unknown } | undefined;
  return typeof reason?.message === 'string' ? reason.message : String(reason ?? 'aborted');
}

/** The full path of an executable found on `pathVariable`, or null. */
export async function findExecutable(name: string, pathVariable: string | undefined): Promise<string | null> {
  for (const dir of (pathVariable ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}
