import { buildRunnerEnv } from './runner-env';
import { buildTaskSpec } from './task-spec';
import { agentShellFor } from './agent-shell';
import { DEFAULT_CLUSTER_CONFIG } from '../../clusters/cluster-config';

const none = { provider: 'none' as const, name: null, kubeconfig: null, context: null };
const kind = { provider: 'kind' as const, name: 'worker-w1-kind', kubeconfig: '/k/config', context: 'kind-worker-w1-kind' };

describe('runner environment and spec', () => {
  it('passes the task variables and only the selected worker variables', () => {
    const env = buildRunnerEnv({ passthrough: { PATH: '/bin', OPENAI_API_KEY: 'k', KUBECONFIG: '/mine' }, workDir: '/w/t/1', taskId: 't', attempt: 1, correlationId: 'c', cluster: none });
    expect(env).toEqual({
      PATH: '/bin',
      OPENAI_API_KEY: 'k',
      TASK_SPEC_FILE: '/w/t/1/task-spec.json',
      RUNNER_LIFELINE: 'stdin',
      PROTOCOL_FD: '3',
      TASK_ID: 't',
      TASK_ATTEMPT: '1',
      CORRELATION_ID: 'c',
      HELM_CONFIG_HOME: '/w/t/1/.helm/config',
      HELM_CACHE_HOME: '/w/t/1/.helm/cache',
      HELM_DATA_HOME: '/w/t/1/.helm/data',
      PYTHONUNBUFFERED: '1',
    });
  });

  it("points kubectl and AIOpsLab at the worker's Kind cluster", () => {
    const env = buildRunnerEnv({ passthrough: {}, workDir: '/w', taskId: 't', attempt: 2, correlationId: 'c', cluster: kind });
    expect(env).toMatchObject({ KUBECONFIG: '/k/config', AIOPSLAB_CLUSTER: 'worker-w1-kind', TASK_ATTEMPT: '2' });
  });

  it('writes the documented spec', () => {
    const spec = buildTaskSpec({ id: 't', problemId: 'p', agentConfig: { kind: 'scripted', actions: ['submit("Yes")'] }, maxSteps: 5, timeoutMinutes: 10, parameters: { a: 1 } }, 3, kind, '/w/t/3', agentShellFor(kind, DEFAULT_CLUSTER_CONFIG));
    expect(spec).toEqual({
      protocol_version: 1,
      task_id: 't',
      attempt: 3,
      problem_id: 'p',
      agent_config: { kind: 'scripted', actions: ['submit("Yes")'] },
      max_steps: 5,
      timeout_minutes: 10,
      parameters: { a: 1 },
      cluster: { provider: 'kind', name: 'worker-w1-kind', kubeconfig: '/k/config', context: 'kind-worker-w1-kind' },
      agent_shell: { mode: 'kind', container: 'worker-w1-kind-control-plane' },
      work_dir: '/w/t/3',
      results_dir: '/w/t/3/results',
    });
  });
});
