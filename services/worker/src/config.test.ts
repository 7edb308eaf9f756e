import { defaultWorkerId, loadWorkerSettings, relativeProgram, selectPassthrough } from './config';

describe('worker config', () => {
  it('works with no variables at all, against local services', () => {
    const settings = loadWorkerSettings({}, { hostname: 'Box_01.example' });
    expect(settings.env).toMatchObject({
      WORKER_ID: 'worker-box-01-example',
      CLUSTER_PROVIDER: 'none',
      DATABASE_URL: 'postgresql://postgres:postgres@127.0.0.1:5432/aiopslab',
      LEASE_SECONDS: 60,
      MAX_TASK_TIMEOUT_MINUTES: 240,
      CALLBACK_ALLOW_PRIVATE: false,
    });
    expect(settings.leaseMs).toBe(60_000);
    expect(settings.retryPolicy).toEqual({ baseMs: 10_000, capMs: 900_000 });
    expect(settings.timeoutMinuteMs).toBe(60_000);
    expect(settings.env.RUNNER_COMMAND).toMatch(/runner\/bin\/aiopslab-runner$/);
  });

  it('takes short durations for tests, and an override for the length of a timeout minute', () => {
    const settings = loadWorkerSettings({ LEASE_SECONDS: '2', KILL_GRACE_SECONDS: '1', RETRY_BASE_SECONDS: '0.2', RETRY_CAP_SECONDS: '1' }, { timeoutMinuteMs: 1000, hostname: 'h' });
    expect(settings).toMatchObject({ leaseMs: 2000, killGraceMs: 1000, retryPolicy: { baseMs: 200, capMs: 1000 }, timeoutMinuteMs: 1000 });
  });

  it('names every bad variable at once, with what is expected', () => {
    let message = '';
    try {
      loadWorkerSettings({ LEASE_SECONDS: '0.1', WORKER_ID: 'Bad Id', LOG_MAX_LINES: '5', CLUSTER_PROVIDER: 'docker' }, { hostname: 'h' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('LEASE_SECONDS must be >= 1 (seconds a claimed task stays leased without renewal; renewed every third of it)');
    expect(message).toContain('WORKER_ID must match pattern');
    expect(message).toContain('LOG_MAX_LINES must be >= 100');
    expect(message).toContain('CLUSTER_PROVIDER must be equal to one of the allowed values');
    expect(() => loadWorkerSettings({ RETRY_BASE_SECONDS: '10', RETRY_CAP_SECONDS: '5' }, { hostname: 'h' })).toThrow('RETRY_CAP_SECONDS must not be below RETRY_BASE_SECONDS');
    expect(() => loadWorkerSettings({ HEARTBEAT_INTERVAL_SECONDS: '10', WORKER_STALE_SECONDS: '15' }, { hostname: 'h' })).toThrow(/WORKER_STALE_SECONDS must be at least twice/);
    expect(() => loadWorkerSettings({ CLUSTER_PROVIDER: 'existing' }, { hostname: 'h' })).toThrow(/EXISTING_KUBECONFIG is required/);
    expect(() => loadWorkerSettings({ RUNNER_COMMAND: 'services/worker/runner/demo-runner.js' }, { hostname: 'h' })).toThrow(/must be an absolute path/);
  });

  it('hands the runner only the variables RUNNER_ENV_PASSTHROUGH names, never the worker secrets', () => {
    const env = { PATH: '/bin', OPENAI_API_KEY: 'k', POLICY_API_KEY: 'p', LC_ALL: 'C', DATABASE_URL: 'postgres://secret', AMQP_URL: 'amqp://secret', HOME: '/root', OTHER: 'x' };
    expect(selectPassthrough(env, 'PATH,*_API_KEY,LC_*,DATABASE_URL')).toEqual({ PATH: '/bin', OPENAI_API_KEY: 'k', POLICY_API_KEY: 'p', LC_ALL: 'C' });
    expect(loadWorkerSettings(env, { hostname: 'h' }).runnerEnv).toEqual({ PATH: '/bin', OPENAI_API_KEY: 'k', POLICY_API_KEY: 'p', LC_ALL: 'C', HOME: '/root' });
  });

  it('accepts runner commands that do not depend on the working directory', () => {
    expect(relativeProgram('/opt/runner --x')).toBeNull();
    expect(relativeProgram("SLOW=1 '/usr/bin/node' '/a/b.js'")).toBeNull();
    expect(relativeProgram('python3 -m aiopslab_runner')).toBeNull();
    expect(relativeProgram('$HOME/run')).toBeNull();
    expect(relativeProgram('./run.sh')).toBe('./run.sh');
    expect(relativeProgram('A=1 bin/run')).toBe('bin/run');
  });

  it('derives a worker id usable in queue and cluster names', () => {
    expect(defaultWorkerId('a1b2c3d4e5f6')).toBe('worker-a1b2c3d4e5f6');
    expect(defaultWorkerId('---')).toBe('worker-1');
    expect(defaultWorkerId('x'.repeat(60)).length).toBeLessThanOrEqual(38);
  });

  it('refuses a localhost agent shell while LLM keys reach the runner, unless explicitly allowed', () => {
    const base = { CLUSTER_PROVIDER: 'existing', EXISTING_KUBECONFIG: '/etc/kube/config', EXISTING_AGENT_SHELL: 'localhost', OPENAI_API_KEY: 'sk-test-0123456789' };
    expect(() => loadWorkerSettings(base, { hostname: 'h' })).toThrow(/EXISTING_AGENT_SHELL=localhost .* OPENAI_API_KEY .* EXISTING_LOCALHOST_SHELL_ALLOW_CREDENTIALS=true/);
    expect(loadWorkerSettings({ ...base, EXISTING_LOCALHOST_SHELL_ALLOW_CREDENTIALS: 'true' }, { hostname: 'h' }).runnerEnv.OPENAI_API_KEY).toBe('sk-test-0123456789');
    // a variable is a credential by its last word: TIKTOKEN_CACHE_DIR is not one
    expect(() => loadWorkerSettings({ ...base, OPENAI_API_KEY: undefined, TIKTOKEN_CACHE_DIR: '/var/cache/tiktoken' }, { hostname: 'h' })).not.toThrow();
    // keys kept out of the runner's environment, or the ssh shell, are fine
    expect(() => loadWorkerSettings({ ...base, RUNNER_ENV_PASSTHROUGH: 'PATH,HOME' }, { hostname: 'h' })).not.toThrow();
    expect(() => loadWorkerSettings({ ...base, EXISTING_AGENT_SHELL: 'ssh', EXISTING_SSH_HOST: 'lab' }, { hostname: 'h' })).not.toThrow();
    // Kind runs the agent's shell in the node container: nothing of the runner's environment there
    expect(() => loadWorkerSettings({ OPENAI_API_KEY: 'sk-test-0123456789', CLUSTER_PROVIDER: 'kind' }, { hostname: 'h' })).not.toThrow();
  });
});
