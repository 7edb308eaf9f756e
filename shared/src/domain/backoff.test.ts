import { retryDelayMs } from './backoff';

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
