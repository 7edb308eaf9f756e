import request from 'supertest';
import type { ApiHarness } from '../api-harness';

export const DETECTION = ['k8s_target_port-misconfig-detection-1', 'auth_miss_mongodb-detection-1'];
export const LOCALIZATION = 'k8s_target_port-misconfig-localization-1';

export const AGENTS = [
  { label: 'gpt', agent_config: { kind: 'registry', name: 'gpt' } },
  { label: 'scripted', agent_config: { kind: 'scripted', actions: ['submit("Yes")'] } },
];

/** POST /runs with a small default grid; returns the response body. */
export async function createRun(h: ApiHarness, overrides: Record<string, unknown> = {}, expectStatus = 201) {
  const res = await request(h.app)
    .post('/runs')
    .send({ name: 'grid', problem_ids: DETECTION, agents: AGENTS, repeats: 2, ...overrides })
    .expect(expectStatus);
  return res.body;
}

/** Puts a run's tasks into the given end states directly (as a worker would have), with results. */
export async function finishRunTasks(h: ApiHarness, runId: string, decide: (task: { id: string; problem_id: string; agent_label: string; repeat_index: number }) => { status: string; result?: unknown; error?: unknown }) {
  const tasks = await h.db.$queryRaw<{ id: string; problem_id: string; agent_label: string; repeat_index: number }[]>`
    SELECT id::text, problem_id, agent_label, repeat_index FROM tasks WHERE run_id = ${runId}::uuid AND status IN ('pending', 'processing', 'retrying')`;
  for (const task of tasks) {
    const end = decide(task);
    await h.db.$executeRaw`
      UPDATE tasks SET status = ${end.status}, attempt = 1, started_at = now() - interval '3 seconds', completed_at = now(),
        result = ${end.result === undefined ? null : JSON.stringify(end.result)}::jsonb, error = ${end.error === undefined ? null : JSON.stringify(end.error)}::jsonb
      WHERE id = ${task.id}::uuid`;
  }
  return tasks;
}

/** A worker's result in the shape of services/worker/src/tasks/run/run-record.ts. */
export function workerResult(results: Record<string, unknown>, usage = { prompt: 300, completion: 40 }, steps = 2) {
  return {
    results,
    framework_overhead: 1,
    session: null,
    session_id: 'demo-1',
    setup: null,
    trajectory: Array.from({ length: steps }, (_, i) => ({ n: i + 1, action: `exec_shell("kubectl get pods") #${i}`, observation: 'NAME READY', duration_s: 0.5, usage: { prompt_tokens: usage.prompt / steps, completion_tokens: usage.completion / steps }, ts: null })),
    trajectory_truncated: false,
    usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion, steps_with_usage: steps },
    durations: { setup_s: 1, loop_s: 2, teardown_s: 0.3, run_s: 3.5 },
    metrics: {},
    runner: { exit_code: 0, signal: null, invalid_protocol_lines: 0 },
    logs: { truncated: false, dropped_lines: 0, dropped_bytes: 0 },
    attempt: 1,
    worker_id: 'worker-t',
  };
}
