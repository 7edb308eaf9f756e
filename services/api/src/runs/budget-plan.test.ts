import { CellRef, planBudget } from './budget-plan';

const cell = (agent: string, problem: string, repeat = 1): CellRef => ({ agent_label: agent, problem_id: problem, repeat_index: repeat });
const fixed = (usd: Record<string, number | null>) => (c: CellRef) => usd[c.agent_label] ?? null;

describe('planBudget: which tasks a budgeted run may create now', () => {
  it('creates tasks in order while spent + in-flight + wave fits: $10 budget, $3 spent, one $2 in flight, $2 each → 2 more ($9)', () => {
    const candidates = [cell('a', 'p1'), cell('a', 'p2'), cell('a', 'p3')];
    const plan = planBudget({ budgetUsd: 10, spentUsd: 3, inFlight: [cell('a', 'p0')], candidates, estimateOf: fixed({ a: 2 }) });
    expect(plan.create).toEqual([cell('a', 'p1'), cell('a', 'p2')]);
    expect(plan.committedUsd).toBe(9);
    expect(plan.exhausted).toBe(false);
  });

  it('stops at the first candidate that does not fit: a cheaper one after it does not jump the queue', () => {
    const plan = planBudget({ budgetUsd: 5, spentUsd: 0, inFlight: [], candidates: [cell('a', 'p1'), cell('big', 'p1'), cell('a', 'p2')], estimateOf: fixed({ a: 2, big: 4 }) });
    expect(plan.create).toEqual([cell('a', 'p1')]);
  });

  it('is exhausted when nothing is in flight, nothing fits and work is left', () => {
    const plan = planBudget({ budgetUsd: 5, spentUsd: 4, inFlight: [], candidates: [cell('a', 'p1')], estimateOf: fixed({ a: 2 }) });
    expect(plan).toEqual({ create: [], committedUsd: 4, exhausted: true });
  });

  it('is not exhausted while a task is in flight (its cost may be lower than estimated), nor when no work is left', () => {
    expect(planBudget({ budgetUsd: 5, spentUsd: 3, inFlight: [cell('a', 'p0')], candidates: [cell('a', 'p1')], estimateOf: fixed({ a: 2 }) }).exhausted).toBe(false);
    expect(planBudget({ budgetUsd: 5, spentUsd: 9, inFlight: [], candidates: [], estimateOf: fixed({}) }).exhausted).toBe(false);
  });

  it('an unknown cost is a probe: one at a time, while money is left', () => {
    const unknown = fixed({ u: null });
    expect(planBudget({ budgetUsd: 1, spentUsd: 0, inFlight: [], candidates: [cell('u', 'p1'), cell('u', 'p2')], estimateOf: unknown }).create).toEqual([cell('u', 'p1')]);
    expect(planBudget({ budgetUsd: 1, spentUsd: 0, inFlight: [cell('u', 'p0')], candidates: [cell('u', 'p1')], estimateOf: unknown }).create).toEqual([]);
    expect(planBudget({ budgetUsd: 1, spentUsd: 1, inFlight: [], candidates: [cell('u', 'p1')], estimateOf: unknown })).toMatchObject({ create: [], exhausted: true });
  });

  it('free agents (estimate 0) run while any budget is left', () => {
    const plan = planBudget({ budgetUsd: 0.5, spentUsd: 0, inFlight: [], candidates: [cell('f', 'p1'), cell('f', 'p2')], estimateOf: fixed({ f: 0 }) });
    expect(plan.create).toHaveLength(2);
  });
});
