import { compareAgentPair } from './agent-pair-comparison';
import { comparisonWarnings, ComparedRun } from './comparison-warnings';
import { selectComparison } from './comparison-selection';

const run = (overrides: Partial<ComparedRun>): ComparedRun => ({ run_id: 'r1', status: 'finished', counts: { pending: 0, processing: 0, retrying: 0, cancelled: 0 }, problem_ids: ['p1', 'p2'], agent_labels: ['gpt'], repeats: 2, ...overrides });
const tally = (problem_id: string, n: number, solved: number) => ({ problem_id, agent_label: 'gpt', n, solved });

describe('comparison warnings', () => {
  it('none when both runs are finished and their grids match', () => {
    const a = run({});
    const b = run({ run_id: 'r2' });
    expect(comparisonWarnings(a, b, selectComparison({ a: 'r1', b: 'r2' }, ['gpt'], ['gpt']), [])).toEqual([]);
  });

  it('names an unfinished or cancelled run, the problems, agents and repeats only one grid has', () => {
    const a = run({ status: 'running', counts: { pending: 2, processing: 1, retrying: 0 }, problem_ids: ['p1', 'p2', 'p3'], agent_labels: ['gpt', 'qwen'] });
    const b = run({ run_id: 'r2', status: 'cancelled', counts: { cancelled: 4 }, problem_ids: ['p1', 'p2', 'p9'], repeats: 3 });
    const warnings = comparisonWarnings(a, b, selectComparison({ a: 'r1', b: 'r2' }, a.agent_labels, b.agent_labels), []);
    expect(warnings.map((w) => w.code)).toEqual(['run_unfinished', 'run_unfinished', 'problems_differ', 'agents_differ', 'repeats_differ']);
    expect(warnings[0]).toMatchObject({ run: 'a', status: 'running', unfinished_tasks: 3 });
    expect(warnings[0].message).toContain('3 task(s) have not finished');
    expect(warnings[1]).toMatchObject({ run: 'b', status: 'cancelled', cancelled_tasks: 4 });
    expect(warnings[2]).toMatchObject({ problems_only_in_a: ['p3'], problems_only_in_b: ['p9'] });
    expect(warnings[2].message).toContain('only run a has p3; only run b has p9');
    expect(warnings[3]).toMatchObject({ agents_only_in_a: ['qwen'], agents_only_in_b: [] });
    expect(warnings[4]).toMatchObject({ repeats_a: 2, repeats_b: 3 });
  });

  it('names the problems of both grids that one side of an agent pair has not scored, once per run when both sides are one run', () => {
    const a = run({ status: 'running', counts: { pending: 1 } });
    const pair = compareAgentPair('gpt', [tally('p1', 2, 2), tally('p2', 2, 1)], 'qwen', [tally('p1', 2, 0)]);
    const warnings = comparisonWarnings(a, a, selectComparison({ a: 'r1', agent_a: 'gpt', agent_b: 'qwen' }, ['gpt', 'qwen'], ['gpt', 'qwen']), [pair]);
    expect(warnings.map((w) => w.code)).toEqual(['run_unfinished', 'unpaired_problems']);
    expect(warnings[1]).toMatchObject({ agent_a: 'gpt', agent_b: 'qwen', problems_scored_only_in_a: ['p2'], problems_scored_only_in_b: [] });
  });
});
