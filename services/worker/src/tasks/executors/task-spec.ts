import path from 'node:path';
import { RUNNER_PROTOCOL_VERSION } from '@aiopslab/shared/schemas/runner-protocol';
import type { ClusterHandle } from '../../clusters/cluster-provider';
import type { AgentShellSpec } from './agent-shell';

/** The task spec file handed to the runner (docs/runner-protocol.md "Inputs"). */
export interface TaskSpec {
  protocol_version: number;
  task_id: string;
  attempt: number;
  problem_id: string;
  agent_config: unknown;
  max_steps: number;
  timeout_minutes: number;
  parameters: unknown;
  cluster: { provider: string; name: string | null; kubeconfig: string | null; context: string | null };
  agent_shell: AgentShellSpec;
  work_dir: string;
  results_dir: string;
}

export interface SpecTask {
  id: string;
  problemId: string;
  agentConfig: unknown;
  maxSteps: number;
  timeoutMinutes: number;
  parameters: unknown;
}

/** Where one attempt's files live: <WORK_DIR>/tasks/<task id>/<attempt>. */
export function attemptWorkDir(workRoot: string, taskId: string, attempt: number): string {
  return path.join(workRoot, 'tasks', taskId, String(attempt));
}

export function buildTaskSpec(task: SpecTask, attempt: number, cluster: ClusterHandle, workDir: string, agentShell: AgentShellSpec): TaskSpec {
  return {
    protocol_version: RUNNER_PROTOCOL_VERSION,
    task_id: task.id,
    attempt,
    problem_id: task.problemId,
    agent_config: task.agentConfig,
    max_steps: task.maxSteps,
    timeout_minutes: task.timeoutMinutes,
    parameters: task.parameters ?? {},
    cluster: { provider: cluster.provider, name: cluster.name, kubeconfig: cluster.kubeconfig, context: cluster.context },
    agent_shell: agentShell,
    work_dir: workDir,
    results_dir: path.join(workDir, 'results'),
  };
}
