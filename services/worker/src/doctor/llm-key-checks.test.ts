import { checkLlmKeys } from './llm-key-checks';

const base = { passthrough: 'PATH,*_API_KEY', runnerEnv: {} as Record<string, string> };

describe('checkLlmKeys', () => {
  it('warns for every agent whose key is missing when DOCTOR_AGENTS is not set', () => {
    const checks = checkLlmKeys({ ...base, agents: ['gpt', 'deepseek'], agentsChosen: false, env: {} });
    expect(checks.map((c) => [c.id, c.status])).toEqual([['llm-key:gpt', 'warn'], ['llm-key:deepseek', 'warn']]);
    expect(checks[0].fix).toBe("OPENAI_API_KEY=<value> in the worker's environment (.env for docker compose)");
  });

  it('fails a missing key of an agent named in DOCTOR_AGENTS', () => {
    const [check] = checkLlmKeys({ ...base, agents: ['qwen'], agentsChosen: true, env: {} });
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('DASHSCOPE_API_KEY not set');
  });

  it('fails a key that is set but filtered out by RUNNER_ENV_PASSTHROUGH, and never prints its value', () => {
    const [check] = checkLlmKeys({ ...base, agents: ['generic'], agentsChosen: true, env: { OPENAI_COMPATIBLE_API_KEY: 'sk-secret', OPENAI_COMPATIBLE_BASE_URL: 'http://x/v1' }, runnerEnv: { OPENAI_COMPATIBLE_API_KEY: 'sk-secret' } });
    expect(check.status).toBe('fail');
    expect(check.fix).toBe('RUNNER_ENV_PASSTHROUGH=PATH,*_API_KEY,OPENAI_COMPATIBLE_BASE_URL');
    expect(JSON.stringify(check)).not.toContain('sk-secret');
  });

  it('passes a key that reaches the runner', () => {
    const [check] = checkLlmKeys({ ...base, agents: ['openrouter'], agentsChosen: true, env: { OPENROUTER_API_KEY: 'k' }, runnerEnv: { OPENROUTER_API_KEY: 'k' } });
    expect(check.status).toBe('ok');
  });
});
