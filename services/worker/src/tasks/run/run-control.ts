import type { StopReason } from './run-outcome';

/**
 * The stop switch of one attempt. The first reason wins and triggers the kill; a lost lease
 * ('fenced') overrides any earlier reason, because then nothing may be written at all.
 */
export class RunControl {
  private reason: StopReason | null = null;
  private readonly listeners: ((reason: StopReason) => void)[] = [];

  constructor(
    readonly taskId: string,
    readonly attempt: number,
  ) {}

  get stopReason(): StopReason | null {
    return this.reason;
  }

  /** Returns whether this call stopped the run (false when it was already stopping). */
  stop(reason: StopReason): boolean {
    if (this.reason) {
      if (reason === 'fenced') this.reason = reason;
      return false;
    }
    this.reason = reason;
    for (const listener of this.listeners.splice(0)) listener(reason);
    return true;
  }

  onStop(listener: (reason: StopReason) => void): void {
    if (this.reason) listener(this.reason);
    else this.listeners.push(listener);
  }
}

/** The one attempt this worker runs (prefetch=1), reachable by cancel messages and shutdown. */
export class ActiveRun {
  private current: RunControl | null = null;

  begin(taskId: string, attempt: number): RunControl {
    this.current = new RunControl(taskId, attempt);
    return this.current;
  }

  end(control: RunControl): void {
    if (this.current === control) this.current = null;
  }

  get control(): RunControl | null {
    return this.current;
  }

  /** A cancel for the task running here stops it; returns false when it is not running here. */
  cancel(taskId: string): boolean {
    if (this.current?.taskId !== taskId) return false;
    this.current.stop('cancelled');
    return true;
  }
}
