import path from 'node:path';
import type { ClusterHandle } from '../../clusters/cluster-provider';

export const PROTOCOL_FD = 3;
export const SPEC_FILE_NAME = 'task-spec.json';

export interface RunnerEnvInput {
  /** The worker's variables selected by RUNNER_ENV_PASSTHROUGH (credentials, PATH, HOME). */
  passthrough: Readonly<Record<string, string>>;
  workDir: string;
  taskId: string;
  attempt: number;
  correlationId: string;
  cluster: ClusterHandle;
}

/**
 * The runner's environment (docs/runner-protocol.md "Inputs"), pure: nothing of the worker's
 * environment except what RUNNER_ENV_PASSTHROUGH selects, plus the task's own variables. Helm
 * state is per attempt so parallel workers never share `helm repo` files.
 */
export function buildRunnerEnv(input: RunnerEnvInput): Record<string, string> {
  const env: Record<string, string> = { ...input.passthrough };
  delete env.KUBECONFIG;
  delete env.AIOPSLAB_CLUSTER;
  Object.assign(env, {
    TASK_SPEC_FILE: path.join(input.workDir, SPEC_FILE_NAME),
    PROTOCOL_FD: String(PROTOCOL_FD),
    RUNNER_LIFELINE: 'stdin',
    TASK_ID: input.taskId,
    TASK_ATTEMPT: String(input.attempt),
    CORRELATION_ID: input.correlationId,
    HELM_CONFIG_HOME: path.join(input.workDir, '.helm', 'config'),
    HELM_CACHE_HOME: path.join(input.workDir, '.helm', 'cache'),
    HELM_DATA_HOME: path.join(input.workDir, '.helm', 'data'),
    PYTHONUNBUFFERED: '1',
  });
  if (input.cluster.kubeconfig) env.KUBECONFIG = input.cluster.kubeconfig;
  if (input.cluster.provider === 'kind' && input.cluster.name) env.AIOPSLAB_CLUSTER = input.cluster.name;
  return env;
}
