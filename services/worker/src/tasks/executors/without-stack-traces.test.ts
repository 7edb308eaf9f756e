import { withoutStackTraces } from './without-stack-traces';

describe('withoutStackTraces', () => {
  it('creates errors without stack frames inside, and restores the limit after, also when fn throws', () => {
    const limit = Error.stackTraceLimit;
    const inside = withoutStackTraces(() => new Error('inside'));
    expect(inside.stack?.split('\n')).toEqual(['Error: inside']);
    expect(() =>
      withoutStackTraces(() => {
        throw new Error('thrown');
      }),
    ).toThrow('thrown');
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error('outside').stack?.split('\n').length).toBeGreaterThan(1);
  });

  it('keeps the answer of a failed system call: a process group that is gone is ESRCH', () => {
    const error = withoutStackTraces(() => {
      try {
        process.kill(-2147483646, 0);
        return null;
      } catch (caught) {
        return caught as NodeJS.ErrnoException;
      }
    });
    expect(error?.code).toBe('ESRCH');
  });
});
