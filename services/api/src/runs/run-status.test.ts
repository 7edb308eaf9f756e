import { runStatusOf, zeroCounts } from './run-status';

const ended = { ...zeroCounts(), completed: 3, failed: 1 };

describe('runStatusOf', () => {
  it('is running while a task is not terminal, whatever else is pending', () => {
    expect(runStatusOf({ ...ended, pending: 1 }, null, { missingCells: 2, infraRetriesDue: 0, budgeted: true })).toBe('running');
  });

  it('is running, not finished, while an infra retry is due on a run without a budget', () => {
    expect(runStatusOf(ended, null, { missingCells: 0, infraRetriesDue: 1, budgeted: false })).toBe('running');
  });

  it('is budget_exhausted when every task ended and a budgeted run still has cells or infra retries it could not pay for', () => {
    expect(runStatusOf(ended, null, { missingCells: 4, infraRetriesDue: 0, budgeted: true })).toBe('budget_exhausted');
    expect(runStatusOf(ended, null, { missingCells: 0, infraRetriesDue: 1, budgeted: true })).toBe('budget_exhausted');
  });

  it('is cancelled or finished otherwise, as before', () => {
    expect(runStatusOf(ended, new Date(), { missingCells: 4, infraRetriesDue: 1, budgeted: true })).toBe('cancelled');
    expect(runStatusOf(ended, null)).toBe('finished');
  });
});
