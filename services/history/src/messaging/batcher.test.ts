import { Batcher } from './batcher';

/** A flush that stays open until the test releases it. */
function controlledFlush() {
  const batches: number[][] = [];
  const releases: (() => void)[] = [];
  const flush = (batch: number[]) =>
    new Promise<void>((resolve) => {
      batches.push(batch);
      releases.push(resolve);
    });
  const releaseNext = async () => {
    releases.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { batches, flush, releaseNext };
}

describe('Batcher', () => {
  it('flushes a full batch at once and groups what arrives during a flush into the next one', async () => {
    const { batches, flush, releaseNext } = controlledFlush();
    const batcher = new Batcher<number>({ maxSize: 3, maxWaitMs: 60_000 }, flush, () => undefined);
    [1, 2, 3].forEach((n) => batcher.add(n));
    expect(batches).toEqual([[1, 2, 3]]);
    [4, 5, 6, 7].forEach((n) => batcher.add(n));
    expect(batches).toHaveLength(1); // one flush in flight at a time
    await releaseNext();
    expect(batches).toEqual([[1, 2, 3], [4, 5, 6]]);
    await releaseNext();
    expect(batches[2]).toEqual([7]); // leftovers go right after, without waiting maxWaitMs
    await releaseNext();
  });

  it('drain() flushes a partial batch without waiting for the timer and resolves when all is done', async () => {
    const flushed: number[][] = [];
    const batcher = new Batcher<number>({ maxSize: 10, maxWaitMs: 60_000 }, async (batch) => void flushed.push(batch), () => undefined);
    batcher.add(1);
    batcher.add(2);
    await batcher.drain();
    expect(flushed).toEqual([[1, 2]]);
    expect(batcher.size()).toBe(0);
  });

  it('discard() drops waiting items that can no longer be settled', async () => {
    const flushed: number[][] = [];
    const batcher = new Batcher<number>({ maxSize: 10, maxWaitMs: 60_000 }, async (batch) => void flushed.push(batch), () => undefined);
    [1, 2, 3, 4].forEach((n) => batcher.add(n));
    expect(batcher.discard((n) => n % 2 === 0)).toBe(2);
    await batcher.drain();
    expect(flushed).toEqual([[1, 3]]);
  });

  it('a failing flush is reported and batching goes on', async () => {
    const errors: unknown[] = [];
    const flushed: number[][] = [];
    const batcher = new Batcher<number>(
      { maxSize: 1, maxWaitMs: 0 },
      async (batch) => {
        if (batch[0] === 1) throw new Error('boom');
        flushed.push(batch);
      },
      (error) => errors.push(error),
    );
    batcher.add(1);
    batcher.add(2);
    await batcher.drain();
    expect(errors).toHaveLength(1);
    expect(flushed).toEqual([[2]]);
  });
});
