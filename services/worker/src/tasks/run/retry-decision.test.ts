import { decideRetry, formatDelay } from './retry-decision';

const policy = { baseMs: 10_000, capMs: 900_000 };

describe('retry decision', () => {
  it('retries while attempts are left, with the backoff in the note', () => {
    expect(decideRetry({ attempt: 1, maxRetries: 2, retryable: true }, policy, () => 1)).toEqual({ retry: true, retryNumber: 1, delayMs: 10_000, notes: 'retry 1 of 2 in 10 s' });
    expect(decideRetry({ attempt: 2, maxRetries: 3, retryable: true }, { baseMs: 20_000, capMs: 900_000 }, () => 1)).toMatchObject({ retryNumber: 2, notes: 'retry 2 of 3 in 40 s' });
  });

  it('stops after max_retries retries', () => {
    expect(decideRetry({ attempt: 3, maxRetries: 2, retryable: true }, policy)).toEqual({ retry: false, reason: 'exhausted', notes: 'no retries left (3 attempts made)' });
    expect(decideRetry({ attempt: 1, maxRetries: 0, retryable: true }, policy)).toMatchObject({ retry: false, notes: 'no retries left (1 attempt made)' });
  });

  it('never retries a non-retryable error', () => {
    expect(decideRetry({ attempt: 1, maxRetries: 5, retryable: false }, policy)).toMatchObject({ retry: false, reason: 'not_retryable' });
  });

  it('formats delays for people', () => {
    expect(formatDelay(200)).toBe('0.2 s');
    expect(formatDelay(4_460)).toBe('4.5 s');
    expect(formatDelay(40_200)).toBe('40 s');
    expect(formatDelay(750_000)).toBe('12 min 30 s');
    expect(formatDelay(900_000)).toBe('15 min');
  });
});
