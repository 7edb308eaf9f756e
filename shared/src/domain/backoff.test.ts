import { backoffMs, retryDelayMs } from './backoff';

describe('retry backoff', () => {
  const policy = { baseMs: 1000, capMs: 60_000 };

  it('doubles per retry between half and all of the exponential delay', () => {
    expect(retryDelayMs(1, policy, () => 0)).toBe(500);
    expect(retryDelayMs(1, policy, () => 1)).toBe(1000);
    expect(retryDelayMs(3, policy, () => 0)).toBe(2000);
    expect(retryDelayMs(3, policy, () => 1)).toBe(4000);
  });

  it('is capped however many retries came before', () => {
    expect(retryDelayMs(40, policy, () => 1)).toBe(60_000);
    expect(retryDelayMs(40, policy, () => 0)).toBe(30_000);
  });

  it('spreads a burst of retries with jitter', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(4, policy)));
    expect(delays.size).toBeGreaterThan(10);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(4000);
  });

  it('rejects a retry number below 1', () => {
    expect(() => retryDelayMs(0, policy)).toThrow(RangeError);
  });
});

describe('backoffMs', () => {
  it('doubles from the base and stops at the cap, without jitter', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, { baseMs: 100, capMs: 2000 }))).toEqual([100, 200, 400, 800, 1600, 2000]);
    expect(backoffMs(1000, { baseMs: 100, capMs: 5000 })).toBe(5000);
    expect(() => backoffMs(0, { baseMs: 1, capMs: 2 })).toThrow(RangeError);
  });
});
