import { AgentTally, flaggedProblemIds, problemHealth, quantile } from './problem-health';

const tally = (over: Partial<AgentTally>): AgentTally => ({
  problem_id: 'p',
  task_type: 'detection',
  agent_kind: 'reference',
  agent_name: 'do_nothing',
  deterministic: true,
  finished: 0,
  scored: 0,
  solved: 0,
  setup_failures: 0,
  setup_s: [],
  ...over,
});

describe('quantile', () => {
  it('interpolates between closest ranks as numpy.percentile does', () => {
    // numpy.percentile([1, 2, 3, 4], 50) = 2.5; ([1..10], 95) = 9.55; ([15, 20, 35, 40, 50], 95) = 48.
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBeCloseTo(9.55, 10);
    expect(quantile([15, 20, 35, 40, 50], 0.95)).toBeCloseTo(48, 10);
    expect(quantile([7], 0.95)).toBe(7);
    expect(quantile([], 0.5)).toBeNull();
  });
});

describe('problemHealth', () => {
  it('when the do-nothing agent solves a mitigation problem, it is flagged as a grader defect', () => {
    const [health] = problemHealth([tally({ problem_id: 'misconfig-mitigation-1', task_type: 'mitigation', finished: 3, scored: 3, solved: 3 })]);
    expect(health.flags).toEqual(['do_nothing_passes']);
    expect(health.do_nothing).toEqual({ scored: 3, solved: 3 });
  });

  it('when the do-nothing agent solves a noop_ detection problem, that is the expected exception: a note, no flag', () => {
    const [health] = problemHealth([tally({ problem_id: 'noop_detection_hotel_reservation-1', finished: 2, scored: 2, solved: 2 })]);
    expect(health.flags).toEqual([]);
    expect(health.notes).toEqual([expect.stringContaining('no fault is injected')]);
  });

  it('counts constant_yes apart and never flags it', () => {
    const [health] = problemHealth([tally({ agent_name: 'constant_yes', finished: 4, scored: 4, solved: 4 })]);
    expect(health.constant_yes).toEqual({ scored: 4, solved: 4 });
    expect(health.do_nothing).toEqual({ scored: 0, solved: 0 });
    expect(health.flags).toEqual([]);
  });

  it('flags setup failures above 20 % once there are at least two, over every agent of the problem', () => {
    const two = problemHealth([
      tally({ finished: 5, scored: 3, setup_failures: 2, setup_s: [100, 200, 300] }),
      tally({ agent_kind: 'registry', agent_name: 'gpt', deterministic: false, finished: 5, scored: 5 }),
    ])[0];
    expect(two.setup_failure_rate).toBe(0.2); // 2 of 10: not above the limit
    expect(two.flags).toEqual([]);
    const three = problemHealth([tally({ finished: 10, scored: 7, setup_failures: 3 })])[0];
    expect(three.flags).toEqual(['setup_unreliable']);
    const one = problemHealth([tally({ finished: 2, scored: 1, setup_failures: 1 })])[0];
    expect(one.setup_failure_rate).toBe(0.5);
    expect(one.flags).toEqual([]); // a single failure is no pattern yet
  });

  it('reports setup time p50 and p95 over every task that got through setup', () => {
    const [health] = problemHealth([
      tally({ setup_s: [15, 50, 35] }),
      tally({ agent_kind: 'scripted', agent_name: null, setup_s: [20, 40] }),
    ]);
    expect(health.setup_s).toEqual({ n: 5, p50: 35, p95: 48 });
  });

  it('flags a problem as flaky when one deterministic agent is solved and unsolved across repeats, not an LLM agent', () => {
    const [flaky] = problemHealth([tally({ agent_kind: 'scripted', agent_name: null, finished: 3, scored: 3, solved: 2 })]);
    expect(flaky.flags).toEqual(['flaky']);
    expect([flaky.deterministic_agents, flaky.flaky_agents]).toEqual([1, 1]);
    const [llm] = problemHealth([tally({ agent_kind: 'registry', agent_name: 'gpt', deterministic: false, finished: 3, scored: 3, solved: 1 })]);
    expect(llm.flags).toEqual([]);
    expect(llm.varying_agents).toBe(1);
  });

  it('lists catalog problems without finished tasks with zero counts and no flags, sorted by id', () => {
    const health = problemHealth([tally({ problem_id: 'b', finished: 1, scored: 1 })], [{ id: 'a', task_type: 'analysis' }, { id: 'b', task_type: 'detection' }]);
    expect(health.map((h) => [h.problem_id, h.task_type, h.finished, h.setup_failure_rate])).toEqual([
      ['a', 'analysis', 0, null],
      ['b', 'detection', 1, 0],
    ]);
    expect(flaggedProblemIds(health).size).toBe(0);
  });
});
