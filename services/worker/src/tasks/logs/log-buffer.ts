import type { LogLine, LogUsage } from '@aiopslab/shared/tables/task-logs';

export interface LogCaps {
  maxLines: number;
  maxBytes: number;
}
/** PostgreSQL text cannot hold NUL; runners print anything. */
export function sanitizeLogText(text: string): string {
  return text.includes('\u0000') ? text.replace(/\u0000/g, '\uFFFD') : text;
}

/**
 * The pending log lines of one task and the per-task caps (pure). Runner output counts against
 * the caps; once a cap is reached, one truncation marker line is queued and further output is
 * only counted. The worker's own lifecycle lines (claimed, outcome) are always kept: there are a
 * handful per attempt. `used` carries what earlier attempts of the task already stored.
 */
export class LogBuffer {
  private pending: LogLine[] = [];
  private pendingBytesCount = 0;
  private truncatedFlag = false;
  private droppedLines = 0;
  private droppedBytes = 0;

  constructor(
    private readonly caps: LogCaps,
    private readonly used: LogUsage = { lines: 0, bytes: 0 },
  ) {}

  /** Runner output: stored while under the caps. Returns false when it was dropped. */
  addOutput(line: LogLine): boolean {
    const message = sanitizeLogText(line.message);
    const bytes = Buffer.byteLength(message);
    if (this.truncatedFlag || this.used.lines + 1 > this.caps.maxLines || this.used.bytes + bytes > this.caps.maxBytes) {
      this.droppedLines++;
      this.droppedBytes += bytes;
      if (!this.truncatedFlag) {
        this.truncatedFlag = true;
        this.enqueue({
          ts: line.ts,
          stream: 'system',
          level: 'warn',
          message: `log truncated: this task reached its cap of ${this.caps.maxLines} lines or ${this.caps.maxBytes} bytes (LOG_MAX_LINES, LOG_MAX_BYTES); further output is discarded`,
        });
      }
      return false;
    }
    this.used.lines++;
    this.used.bytes += bytes;
    this.enqueue({ ...line, message });
    return true;
  }

  /** A lifecycle line of the worker: never capped. */
  addLifecycle(line: LogLine): void {
    this.enqueue({ ...line, message: sanitizeLogText(line.message) });
  }

  /** Removes and returns up to `max` of the oldest pending lines. */
  take(max: number): LogLine[] {
    const batch = this.pending.splice(0, max);
    for (const line of batch) this.pendingBytesCount -= Buffer.byteLength(line.message);
    return batch;
  }

  /** Puts a batch that could not be written back in front, in order. */
  putBack(batch: LogLine[]): void {
    this.pending.unshift(...batch);
    for (const line of batch) this.pendingBytesCount += Buffer.byteLength(line.message);
  }

  clear(): void {
    this.pending = [];
    this.pendingBytesCount = 0;
  }

  get pendingLines(): number {
    return this.pending.length;
  }

  get pendingBytes(): number {
    return this.pendingBytesCount;
  }

  get truncated(): boolean {
    return this.truncatedFlag;
  }

  get dropped(): LogUsage {
    return { lines: this.droppedLines, bytes: this.droppedBytes };
  }

  private enqueue(line: LogLine): void {
    this.pending.push(line);
    this.pendingBytesCount += Buffer.byteLength(line.message);
  }
}
