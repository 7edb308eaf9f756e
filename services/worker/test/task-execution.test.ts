import { existsSync } from 'node:fs';
import { waitUntil } from '../../../tests/support/amqp-helpers';
import { WorkerHarness } from './support/worker-harness';

describe('worker: running a task through a stand-in runner', () => {
  let h: WorkerHarness;

  beforeAll(async () => {
    h = await WorkerHarness.create();
    await h.startWorker('exec-1', { env: { LOG_MAX_LINES: '500', LOG_MAX_BYTES: '200000', FAKE_API_KEY: 'sk-test-0123456789', NOT_PASSED: 'x', RUNNER_ENV_PASSTHROUGH: 'PATH,*_API_KEY' } });
  });
  afterAll(() => h.close());

  it('when the runner succeeds, the task is completed with its trajectory, usage, durations and session, and every line is logged', async () => {
    const submitted = await h.submit({ fixture: 'succeeds' });
    const task = await h.waitForStatus(submitted.id, 'completed');
    expect(task).toMatchObject({ attempt: 1, workerId: 'exec-1', error: null, leaseExpiresAt: null });
    expect(task.completedAt).not.toBeNull();
    const result = task.result as Record<string, any>;
    expect(result.results).toMatchObject({ 'Detection Accuracy': 'Correct', TTD: 0.03 });
    expect(result.framework_overhead).toBe(0.5);
    expect(result.session).toMatchObject({ session_id: 'session-1', problem_id: 'k8s_target_port-misconfig-detection-1' });
    expect(result.session_id).toBe('session-1');
    expect(result.setup).toMatchObject({ task_description: expect.stringContaining('Detect anomalies'), apis: { exec_shell: 'Run a shell command' } });
    expect(result.trajectory).toHaveLength(2);
    expect(result.trajectory[0]).toMatchObject({ n: 1, action: 'exec_shell("kubectl get pods -n test-1")', observation: 'observation 1', usage: { total_tokens: 110 } });
    expect(result.usage).toEqual({ prompt_tokens: 300, completion_tokens: 20, total_tokens: 320, steps_with_usage: 2 });
    expect(result.durations).toMatchObject({ setup_s: 0.01, loop_s: 0.03, teardown_s: 0.01, run_s: expect.any(Number) });
    expect(result.metrics).toEqual({ pods_seen: { value: 7, unit: 'count' } });
    expect(result.runner).toEqual({ exit_code: 0, signal: null, invalid_protocol_lines: 0 });

    const logs = await h.logs(task.id);
    expect(logs.map((l) => l.seq)).toEqual(logs.map((_, i) => i + 1));
    expect(logs.every((l) => l.attempt === 1)).toBe(true);
    const text = logs.map((l) => `${l.stream}|${l.level}|${l.message}`);
    expect(text).toEqual(
      expect.arrayContaining([
        'system|info|attempt 1 claimed by exec-1 (timeout 30 min, max 10 steps)',
        'stdout|info|Session ID: session-1 (problem k8s_target_port-misconfig-detection-1)',
        'stderr|info|helm: release "prometheus" uninstalled',
        'system|info|AIOpsLab session session-1 started',
        'system|warn|agent used a deprecated API',
        'system|info|runner exited with code 0',
      ]),
    );
    expect(text.some((line) => line.startsWith('system|info|step 2 (0 s, 210 tokens): submit("Yes")'))).toBe(true);
    expect(text[text.length - 1]).toBe('system|info|completed by exec-1 (attempt 1)');

    const events = await h.events(task.id);
    expect(events.map((e) => [e.from_status, e.to_status, e.attempt, e.worker_id])).toEqual([
      ['pending', 'processing', 1, 'exec-1'],
      ['processing', 'completed', 1, 'exec-1'],
    ]);
    // The worker published its claim's and finish's events itself after each commit: no relay pass claimed them.
    const workerEvents = async () =>
      (await h.db.outboxMessage.findMany({ where: { payload: { path: ['task_id'], equals: task.id }, routingKey: { in: ['task.processing', 'task.completed'] } }, orderBy: { id: 'asc' } }));
    await waitUntil(async () => (await workerEvents()).every((row) => row.publishedAt !== null), 5000, 'the worker events marked published');
    expect((await workerEvents()).map((row) => [row.routingKey, row.attempts, (row.headers as { callback?: boolean }).callback])).toEqual([
      ['task.processing', 0, false],
      ['task.completed', 0, false],
    ]);
  });

  it('gives the runner its spec, a working directory holding only the spec, and only the allowed variables, then removes the directory', async () => {
    const submitted = await h.submit({ fixture: 'echo-env', maxSteps: 7, timeoutMinutes: 12, agentConfig: { kind: 'registry', name: 'gpt', params: { temperature: 0 } } });
    const task = await h.waitForStatus(submitted.id, 'completed');
    const seen = (task.result as any).results;
    const workDir = `${h.workDir}/tasks/${task.id}/1`;
    expect(seen.cwd).toBe(workDir);
    expect(seen.env).toEqual({
      TASK_SPEC_FILE: `${workDir}/task-spec.json`,
      PROTOCOL_FD: '3',
      TASK_ID: task.id,
      TASK_ATTEMPT: '1',
      CORRELATION_ID: `corr-${task.id.slice(0, 8)}`,
      HELM_CONFIG_HOME: `${workDir}/.helm/config`,
      HELM_CACHE_HOME: `${workDir}/.helm/cache`,
      HELM_DATA_HOME: `${workDir}/.helm/data`,
      KUBECONFIG: null,
      AIOPSLAB_CLUSTER: null,
      DATABASE_URL: null,
      AMQP_URL: null,
      FAKE_API_KEY: '[REDACTED]', // the runner got the key; what it printed of it is redacted before it is stored
      NOT_PASSED: null,
    });
    expect(seen.spec).toEqual({
      protocol_version: 1,
      task_id: task.id,
      attempt: 1,
      problem_id: 'k8s_target_port-misconfig-detection-1',
      agent_config: { kind: 'registry', name: 'gpt', params: { temperature: 0 } },
      max_steps: 7,
      timeout_minutes: 12,
      parameters: { fixture: 'echo-env', env: {} },
      cluster: { provider: 'none', name: null, kubeconfig: null, context: null },
      agent_shell: { mode: 'localhost' },
      work_dir: workDir,
      results_dir: `${workDir}/results`,
    });
    // results_dir and the helm homes are the runner's to make (docs/runner-protocol.md).
    expect(seen.entries).toEqual(['task-spec.json']);
    await waitUntil(() => !existsSync(workDir), 5000, 'the work dir to be removed');
  });

  it('when the runner prints garbage on the protocol fd, each bad line becomes a system line with the reason and the task still completes', async () => {
    const submitted = await h.submit({ fixture: 'prints-garbage' });
    const task = await h.waitForStatus(submitted.id, 'completed');
    expect((task.result as any).runner.invalid_protocol_lines).toBe(6);
    const system = (await h.logs(task.id)).filter((l) => l.stream === 'system').map((l) => l.message);
    expect(system).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^invalid protocol line \(not JSON .*\): this is not JSON$/),
        expect.stringMatching(/^invalid protocol line \(invalid step event: action is required; observation is required; n must be integer\)/),
        expect.stringMatching(/^invalid protocol line \(unknown event type "launch_rockets"/),
        'invalid protocol line (not a JSON object): [1, 2, 3]',
        'invalid protocol line (1048628 bytes, over the 1048576-byte limit) discarded',
        'nul \uFFFD inside',
      ]),
    );
    const stdout = (await h.logs(task.id)).filter((l) => l.stream === 'stdout').map((l) => l.message);
    expect(stdout).toContain('stdout with a NUL \uFFFD byte and \u001b[31mcolour\u001b[0m');
  });

  it('when the runner floods its output, storing stops at the cap with one truncation marker and the task completes', async () => {
    const submitted = await h.submit({ fixture: 'floods', fixtureEnv: { FLOOD_LINES: '20000' } });
    const task = await h.waitForStatus(submitted.id, 'completed', 30_000);
    const logs = await h.logs(task.id);
    const markers = logs.filter((l) => l.message.startsWith('log truncated'));
    expect(markers).toHaveLength(1);
    const output = logs.filter((l) => l.stream !== 'system' || !/^(attempt|runner|cluster|completed|log truncated)/.test(l.message));
    expect(output.length).toBeLessThanOrEqual(500);
    expect(output.length).toBeGreaterThan(400);
    expect(logs[logs.length - 1].message).toBe('completed by exec-1 (attempt 1)');
    expect((task.result as any).logs).toMatchObject({ truncated: true, dropped_lines: expect.any(Number) });
    expect((task.result as any).logs.dropped_lines).toBeGreaterThan(19_000);
    expect((task.result as any).results.lines).toBe(20000);
  });

  it('acks every message it finished: nothing is left on the dispatch queue', async () => {
    const depth = await h.queueDepth(h.topology.queues.dispatch);
    expect(depth).toEqual(expect.objectContaining({ messageCount: 0, consumerCount: 1 }));
  });
});
