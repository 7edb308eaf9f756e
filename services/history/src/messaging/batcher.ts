export interface BatcherOptions {
  /** Most items handed to one flush. */
  maxSize: number;
  /** How long the first item of an idle batcher waits for company before it is flushed. */
  maxWaitMs: number;
}

/**
 * Groups items into batches with one flush in flight at a time ("group commit"): when idle, an
 * item waits at most maxWaitMs; while a flush runs, arrivals pile up and go out together right
 * after it, so batches grow with load and latency stays low when the load is light.
 * The flush function should not throw; if it does, onError gets the error and the batch, and
 * batching goes on.
 */
export class Batcher<T> {
  private items: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly options: BatcherOptions,
    private readonly flush: (batch: T[]) => Promise<void>,
    private readonly onError: (error: unknown, batch: T[]) => void,
  ) {}

  add(item: T): void {
    this.items.push(item);
    if (this.flushing) return; // picked up as soon as the running flush ends
    if (this.items.length >= this.options.maxSize) this.flushNext();
    else this.timer ??= setTimeout(() => this.flushNext(), this.options.maxWaitMs);
  }

  /** Items waiting (not yet handed to a flush). */
  size(): number {
    return this.items.length;
  }

  /** Drops waiting items that can no longer be handled (their channel closed). */
  discard(predicate: (item: T) => boolean): number {
    const before = this.items.length;
    this.items = this.items.filter((item) => !predicate(item));
    return before - this.items.length;
  }

  /** Resolves when everything added so far has been flushed. */
  async drain(): Promise<void> {
    while (this.flushing || this.items.length > 0) {
      if (!this.flushing) this.flushNext();
      await this.flushing;
    }
  }

  private flushNext(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.flushing || this.items.length === 0) return;
    const batch = this.items.splice(0, this.options.maxSize);
    this.flushing = this.flush(batch)
      .catch((error) => this.onError(error, batch))
      .finally(() => {
        this.flushing = null;
        if (this.items.length > 0) this.flushNext();
      });
  }
}
