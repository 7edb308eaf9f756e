import type { SqlDb } from '@aiopslab/shared/db/sql';
import type { Logger } from '@aiopslab/shared/logging/logger';
import { appendTaskLogs, LogLevel, LogLine, LogStream, LogUsage, TaskOwner } from '@aiopslab/shared/tables/task-logs';
import { LogBuffer, LogCaps } from './log-buffer';
import { backoffMs } from '@aiopslab/shared/domain/backoff';
import { sleep } from '@aiopslab/shared/lifecycle/sleep';

export interface TaskLogWriterOptions {
  flushIntervalMs?: number;
  batchLines?: number;
  /** Above these, the writer asks the runner's output to pause until a flush caught up. */
  highWaterLines?: number;
  highWaterBytes?: number;
}


/**
 * Streams one attempt's log lines into task_logs in batches, guarded by the attempt's
 * ownership. Memory stays bounded: above the high-water mark the producer is paused
 * (`accepting` is false until `writable()` resolves), and the per-task caps end storing.
 */
export class TaskLogWriter {
  private readonly buffer: LogBuffer;
  private readonly options: Required<TaskLogWriterOptions>;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private waiters: (() => void)[] = [];
  private fenced = false;
  private closed = false;
  private onFencedCallback: (() => void) | null = null;
  private failures = 0;

  constructor(
    private readonly db: SqlDb,
    private readonly owner: TaskOwner,
    caps: LogCaps,
    usage: LogUsage,
    private readonly logger: Logger,
    options: TaskLogWriterOptions = {},
  ) {
    this.buffer = new LogBuffer(caps, usage);
    this.options = { flushIntervalMs: 200, batchLines: 500, highWaterLines: 5000, highWaterBytes: 8 * 1024 * 1024, ...options };
  }

  /** Called once when an insert finds the task no longer held by this attempt. */
  onFenced(callback: () => void): void {
    this.onFencedCallback = callback;
  }

  /** Runner output (capped). Returns false when the producer should pause. */
  output(stream: LogStream, level: LogLevel, message: string): boolean {
    if (!this.fenced && !this.closed) this.buffer.addOutput({ ts: new Date(), stream, level, message });
    return this.schedule();
  }

  /** A lifecycle line of the worker (never capped). */
  system(level: LogLevel, message: string): void {
    if (!this.fenced && !this.closed) this.buffer.addLifecycle({ ts: new Date(), stream: 'system', level, message });
    this.schedule();
  }

  writable(): Promise<void> {
    if (this.belowHighWater()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  get truncated(): boolean {
    return this.buffer.truncated;
  }

  get dropped(): LogUsage {
    return this.buffer.dropped;
  }

  /**
   * Stops taking lines (later ones are ignored) and hands back what is pending, at most one
   * batch, for the caller's last statement, the finish, to write under the same ownership guard:
   * one round trip instead of two. More than a batch is written here first.
   */
  async closeAndTakeRest(): Promise<LogLine[]> {
    if (this.flushing) await this.flushing;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.buffer.pendingLines > this.options.batchLines || this.fenced) {
      await this.writePending();
      return [];
    }
    const rest = this.buffer.take(this.buffer.pendingLines);
    this.release();
    return rest;
  }

  private async writePending(): Promise<void> {
    for (let tries = 0; this.buffer.pendingLines > 0 && !this.fenced && tries < 5; tries++) await this.flush();
    if (this.buffer.pendingLines > 0 && !this.fenced) this.logger.error('task log lines could not be stored', { lines: this.buffer.pendingLines });
    this.buffer.clear();
    this.release();
  }

  private belowHighWater(): boolean {
    return this.fenced || (this.buffer.pendingLines < this.options.highWaterLines && this.buffer.pendingBytes < this.options.highWaterBytes);
  }

  private schedule(): boolean {
    if (this.buffer.pendingLines >= this.options.batchLines) void this.flush();
    else if (!this.timer && !this.closed) this.timer = setTimeout(() => void this.flush(), this.options.flushIntervalMs);
    return this.belowHighWater();
  }

  private flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = null;
      if (this.buffer.pendingLines > 0 && !this.closed) this.schedule();
    });
    return this.flushing;
  }

  private async drain(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.buffer.pendingLines > 0 && !this.fenced) {
      const batch = this.buffer.take(this.options.batchLines);
      try {
        const written = await appendTaskLogs(this.db, this.owner, batch);
        this.failures = 0;
        if (written === 0) this.fence();
      } catch (error) {
        this.buffer.putBack(batch);
        this.failures++;
        this.logger.warn('storing task log lines failed; will retry', { error: (error as Error).message, failures: this.failures });
        await sleep(backoffMs(this.failures + 1, { baseMs: 100, capMs: 2000 }));
        return;
      }
      this.release();
    }
  }

  private fence(): void {
    this.fenced = true;
    this.buffer.clear();
    this.release();
    this.onFencedCallback?.();
  }

  private release(): void {
    if (!this.belowHighWater() && !this.closed) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
