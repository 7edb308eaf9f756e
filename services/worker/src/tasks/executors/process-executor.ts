import { ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { MAX_PROTOCOL_LINE_BYTES } from '@aiopslab/shared/schemas/runner-protocol';
import { LineSplitter } from '../protocol/line-splitter';
import type { ExecutionRequest, Executor, ExecutorExit, OutputStream, RunningProcess, RunOutput } from './executor';
import { groupAlive, terminateGroup } from './process-group';
import { buildRunnerEnv, SPEC_FILE_NAME } from './runner-env';
import { redactingOutput, secretValues } from './secret-redactor';
import { createWorkDir, removeWorkDir } from './work-dir';
import { withoutStackTraces } from './without-stack-traces';

export interface ProcessExecutorOptions {
  /** RUNNER_COMMAND, run through /bin/sh -c. */
  command: string;
  killGraceMs: number;
  /** Longer stdout/stderr lines are cut (LOG_MAX_LINE_BYTES). */
  maxLineBytes: number;
  keepWorkDirs: boolean;
  /** The worker variables handed to the runner (RUNNER_ENV_PASSTHROUGH). */
  passthroughEnv: Readonly<Record<string, string>>;
}

/** After the runner's group is gone, output still held by an escaped process is abandoned. */
const STREAM_DRAIN_MS = 2000;

/**
 * The `process` executor: RUNNER_COMMAND in its own process group, in a fresh per-attempt
 * working directory holding the task spec, with the protocol on fd 3 and stdout/stderr as logs.
 */
export class ProcessExecutor implements Executor {
  readonly name = 'process';

  private readonly secrets: string[];

  constructor(private readonly options: ProcessExecutorOptions) {
    this.secrets = secretValues(options.passthroughEnv);
  }

  async start(request: ExecutionRequest, output: RunOutput): Promise<RunningProcess> {
    const { workDir } = request;
    await createWorkDir({
      workDir,
      files: [{ name: SPEC_FILE_NAME, content: JSON.stringify(request.spec, null, 2), mode: 0o600 }],
    });
    const env = buildRunnerEnv({ passthrough: this.options.passthroughEnv, workDir, taskId: request.taskId, attempt: request.attempt, correlationId: request.correlationId, cluster: request.cluster });
    // stdin is the lifeline: it closes when this worker dies, and carries lease renewals.
    const child = spawn('/bin/sh', ['-c', this.options.command], { cwd: workDir, env, detached: true, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    child.stdin?.on('error', () => undefined); // a runner that exited or closed its stdin
    return new ProcessRun(child, redactingOutput(output, this.secrets), this.options);
  }

  async cleanup(request: ExecutionRequest): Promise<void> {
    if (this.options.keepWorkDirs) return;
    await removeWorkDir(request.workDir);
  }
}

class ProcessRun implements RunningProcess {
  readonly pid: number | null;
  readonly exited: Promise<ExecutorExit>;
  private terminating: Promise<'gone' | 'killed' | 'stuck'> | null = null;
  private readonly streams: Readable[] = [];
  private paused = false;

  constructor(
    private readonly child: ChildProcess,
    private readonly output: RunOutput,
    private readonly options: ProcessExecutorOptions,
  ) {
    this.pid = child.pid ?? null;
    const sources: [Readable | null | undefined, OutputStream, number][] = [
      [child.stdout, 'stdout', options.maxLineBytes],
      [child.stderr, 'stderr', options.maxLineBytes],
      [child.stdio[3] as Readable | undefined, 'protocol', MAX_PROTOCOL_LINE_BYTES],
    ];
    const ended = sources.map(([stream, name, max]) => (stream ? this.read(stream, name, max) : Promise.resolve()));
    this.exited = this.waitForExit(Promise.all(ended));
  }

  stop(): void {
    if (this.pid === null || this.terminating) return;
    this.terminating = terminateGroup(this.pid, this.options.killGraceMs);
  }

  leaseRenewed(validForMs: number): void {
    const stdin = this.child.stdin;
    if (!stdin || stdin.destroyed || !stdin.writable) return;
    const line = `${JSON.stringify({ type: 'lease', valid_for_ms: Math.max(0, Math.round(validForMs)) })}\n`;
    withoutStackTraces(() => stdin.write(line)); // a runner that already exited: EPIPE, ignored
  }

  private async waitForExit(streamsEnded: Promise<unknown>): Promise<ExecutorExit> {
    const exit = await new Promise<ExecutorExit>((resolve) => {
      this.child.once('error', (error) => resolve({ code: null, signal: null, startError: `could not start the runner: ${error.message}` }));
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    const stdin = this.child.stdin;
    if (stdin && !stdin.destroyed) withoutStackTraces(() => stdin.end());
    if (this.pid !== null) {
      // Nothing the runner started may outlive the attempt.
      if (!this.terminating && groupAlive(this.pid)) this.terminating = terminateGroup(this.pid, this.options.killGraceMs);
      const ending = this.terminating ? await this.terminating : 'gone';
      if (ending !== 'gone') exit.forced = ending;
    }
    const drained = await Promise.race([streamsEnded.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), STREAM_DRAIN_MS).unref())]);
    if (!drained) for (const stream of this.streams) stream.destroy();
    return exit;
  }

  private read(stream: Readable, name: OutputStream, maxBytes: number): Promise<void> {
    this.streams.push(stream);
    const splitter = new LineSplitter(maxBytes);
    const deliver = (lines: { text: string; cutBytes: number }[]) => {
      let wantsPause = false;
      for (const line of lines) if (!this.output.line(name, line.text, line.cutBytes)) wantsPause = true;
      if (wantsPause) this.pauseUntilWritable();
    };
    stream.on('data', (chunk: Buffer) => deliver(splitter.push(chunk)));
    return new Promise((resolve) => {
      const finish = () => {
        deliver(splitter.end());
        resolve();
      };
      stream.once('end', finish);
      stream.once('close', finish);
      stream.once('error', finish);
    });
  }

  private pauseUntilWritable(): void {
    if (this.paused) return;
    this.paused = true;
    for (const stream of this.streams) stream.pause();
    void this.output.writable().then(() => {
      this.paused = false;
      for (const stream of this.streams) stream.resume();
    });
  }
}
