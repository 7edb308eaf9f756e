import { parseVerifyArgs } from './verify-args';

describe('parseVerifyArgs', () => {
  const id = '3b241101-e2bb-4255-8caf-4136c566a962';

  it('reads tasks, since, settle and json, in both --flag value and --flag=value forms', () => {
    expect(parseVerifyArgs(['--task', id, `--task=${id.toUpperCase()}`, '--since=2026-01-31T12:00:00Z', '--settle-ms', '0', '--json'])).toEqual({
      taskIds: [id],
      since: new Date('2026-01-31T12:00:00Z'),
      settleMs: 0,
      json: true,
      help: false,
    });
    expect(parseVerifyArgs([])).toMatchObject({ taskIds: [], since: null, settleMs: 5000, json: false });
  });

  it('names the flag that is wrong', () => {
    expect(() => parseVerifyArgs(['--task', 'abc'])).toThrow(/--task must be a task id/);
    expect(() => parseVerifyArgs(['--since', 'last week'])).toThrow(/--since must be an ISO 8601 time/);
    expect(() => parseVerifyArgs(['--settle-ms', '-1'])).toThrow(/--settle-ms must be a whole number/);
    expect(() => parseVerifyArgs(['--settle-ms'])).toThrow(/--settle-ms needs a value/);
    expect(() => parseVerifyArgs(['--tasks', id])).toThrow(/unknown argument "--tasks"/);
  });
});
