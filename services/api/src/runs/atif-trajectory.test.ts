import { ATIF_SCHEMA_VERSION, AtifTrajectory, toAtifTrajectory } from './atif-trajectory';
import { LINE, SESSION } from './fixtures/atif-task';

/** The RFC's rules that Harbor's validator enforces: known fields only, required ones present, ids 1…n, agent-only fields on agent steps. */
function atifProblems(t: AtifTrajectory): string[] {
  const problems: string[] = [];
  const only = (where: string, value: object, allowed: string[]) => {
    for (const key of Object.keys(value)) if (!allowed.includes(key)) problems.push(`${where}.${key} is not an ATIF field`);
  };
  only('root', t, ['schema_version', 'session_id', 'agent', 'steps', 'notes', 'final_metrics', 'extra']);
  only('agent', t.agent, ['name', 'version', 'model_name', 'tool_definitions', 'extra']);
  if (typeof t.agent.name !== 'string' || typeof t.agent.version !== 'string') problems.push('agent.name and agent.version are required strings');
  only('final_metrics', t.final_metrics, ['total_prompt_tokens', 'total_completion_tokens', 'total_cached_tokens', 'total_cost_usd', 'total_steps', 'extra']);
  if (t.steps.length === 0) problems.push('steps must not be empty');
  t.steps.forEach((s, i) => {
    only(`steps[${i}]`, s, ['step_id', 'timestamp', 'source', 'model_name', 'reasoning_effort', 'message', 'reasoning_content', 'tool_calls', 'observation', 'metrics', 'extra']);
    if (s.step_id !== i + 1) problems.push(`steps[${i}].step_id is ${s.step_id}, expected ${i + 1}`);
    if (!['system', 'user', 'agent'].includes(s.source)) problems.push(`steps[${i}].source`);
    if (typeof s.message !== 'string') problems.push(`steps[${i}].message must be a string`);
    if (s.source !== 'agent' && (s.model_name || s.metrics)) problems.push(`steps[${i}] has agent-only fields on a ${s.source} step`);
    if (s.source === 'user' && s.observation) problems.push(`steps[${i}] is a user step with an observation`);
    if (s.timestamp && Number.isNaN(Date.parse(s.timestamp))) problems.push(`steps[${i}].timestamp`);
    if (s.observation) s.observation.results.forEach((r, j) => only(`steps[${i}].observation.results[${j}]`, r, ['source_call_id', 'content', 'subagent_trajectory_ref', 'extra']));
    if (s.metrics) only(`steps[${i}].metrics`, s.metrics, ['prompt_tokens', 'completion_tokens', 'cached_tokens', 'cost_usd', 'prompt_token_ids', 'completion_token_ids', 'logprobs', 'extra']);
  });
  return problems;
}

describe('toAtifTrajectory', () => {
  it('maps a kept AIOpsLab session to a valid ATIF trajectory: the problem, then each agent reply with its observation and usage', () => {
    const t = toAtifTrajectory(LINE, SESSION);
    expect(atifProblems(t)).toEqual([]);
    expect(t.schema_version).toBe(ATIF_SCHEMA_VERSION);
    expect(t.session_id).toBe('6f1c2a9e-3b7d-4c55-9e0a-1d2f3a4b5c6d');
    expect(t.agent).toEqual({ name: 'openai_compatible', version: 'unknown', model_name: 'qwen2.5-7b-instruct', extra: { agent_label: 'local-llm', agent_config: LINE.agent_config } });
    expect(t.steps.map((s) => [s.step_id, s.source])).toEqual([[1, 'system'], [2, 'user'], [3, 'agent'], [4, 'agent']]);
    expect(t.steps[0]).toMatchObject({ message: LINE.setup!.task_description, extra: { apis: LINE.setup!.apis } });
    expect(t.steps[1].message).toBe(LINE.setup!.instructions);
    expect(t.steps[2]).toEqual({
      step_id: 3, source: 'agent', message: (SESSION.session.trace as { content: string }[])[0].content, model_name: 'qwen2.5-7b-instruct', timestamp: '2026-01-01T00:00:41.000Z',
      observation: { results: [{ content: (SESSION.session.trace as { content: string }[])[1].content }] }, metrics: { prompt_tokens: 1190, completion_tokens: 38 }, extra: { aiopslab_role: 'assistant', n: 1 },
    });
    expect(t.steps[3].observation).toEqual({ results: [{ content: 'Localization Accuracy: 100.0' }] });
    expect(t.final_metrics).toMatchObject({ total_prompt_tokens: 2450, total_completion_tokens: 61, total_steps: 4 });
    expect(t.extra).toMatchObject({ task_id: LINE.task_id, run_id: LINE.run_id, solved: true, outcome_class: 'solved', outcome_origin: 'evaluation', messages_from: 'session', session_source: 'results_dir', session_start_time: 1767225600.25 });
    expect(JSON.parse(JSON.stringify(t))).toEqual(t);
  });

  it('without a kept session, the messages come from the recorded trajectory and the notes say so', () => {
    const t = toAtifTrajectory(LINE, null);
    expect(atifProblems(t)).toEqual([]);
    expect(t.session_id).toBe(LINE.session_id);
    expect(t.steps.filter((s) => s.source === 'agent').map((s) => s.message)).toEqual(['exec_shell("kubectl get pods -n test-social-network")', 'submit(["user-service"])']);
    expect(t.extra.messages_from).toBe('trajectory');
    expect(t.notes).toMatch(/No session was kept/);
  });

  it('a task that failed in setup, with no message at all, still gets one step saying how it ended, and no token totals', () => {
    const failed = { ...LINE, status: 'failed', solved: false, outcome_class: 'infra_error', outcome_origin: 'setup', setup: null, trajectory: [], results: null, usage: null, session_id: null, error: { kind: 'runner_failed', message: 'cluster not ready' } };
    const t = toAtifTrajectory(failed, null);
    expect(atifProblems(t)).toEqual([]);
    expect(t.session_id).toBe(LINE.task_id);
    expect(t.steps).toEqual([{ step_id: 1, source: 'system', message: 'The task ended failed (infra_error) before the agent took a step: cluster not ready', extra: { aiopslab: 'no_messages', error: failed.error } }]);
    expect(t.final_metrics).toEqual({ total_steps: 1, extra: { aiopslab_usage: null, durations: LINE.durations } });
  });

  it('an env message with no agent reply before it becomes a system step with an observation; non-string content is JSON text', () => {
    const session = { ...SESSION, session: { ...SESSION.session, trace: [{ role: 'env', content: 'cluster ready' }, { role: 'assistant', content: { action: 'submit()' } }, { role: 'env', content: 'ok' }, { role: 'env', content: 'again' }] } };
    const t = toAtifTrajectory({ ...LINE, setup: null }, session);
    expect(atifProblems(t)).toEqual([]);
    expect(t.steps.map((s) => s.source)).toEqual(['system', 'agent', 'system']);
    expect(t.steps[0]).toMatchObject({ message: '', observation: { results: [{ content: 'cluster ready' }] } });
    expect(t.steps[1]).toMatchObject({ message: '{"action":"submit()"}', observation: { results: [{ content: 'ok' }] } });
    expect(t.steps[2].observation).toEqual({ results: [{ content: 'again' }] });
  });

  it('a registry agent is named by its registry name and has no model_name', () => {
    const t = toAtifTrajectory({ ...LINE, agent_config: { kind: 'registry', name: 'gpt', params: {} } }, SESSION);
    expect(t.agent.name).toBe('gpt');
    expect(t.agent).not.toHaveProperty('model_name');
    expect(t.steps.some((s) => 'model_name' in s)).toBe(false);
  });
});
