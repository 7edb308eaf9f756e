import { FaultSystem, restartPostgres, restartRabbitMq } from './support/fault-system';
import { overlappingExecutions, readExecutions } from './support/run-log';

/**
 * A run (experiment) through a gauntlet of faults: a worker and the api SIGKILLed mid-run,
 * RabbitMQ and PostgreSQL restarted. Afterwards the run's status and counts (computed from the
 * database, never from events) must match its tasks exactly, every grid cell must have run to
 * the end once, and its results table and export must count each cell once.
 */
const PROBLEMS = ['k8s_target_port-misconfig-detection-1', 'container_kill-detection', 'misconfig_app_hotel_res-mitigation-1', 'revoke_auth_mongodb-analysis-2'];
const AGENTS = ['a', 'b', 'c'].map((label) => ({ label, agent_config: { kind: 'scripted', actions: ['submit("Yes")'] } }));
// As many tasks as the suite's other scenarios (FAULT_TASKS), and at least 120, so the run is still
// going when the last fault lands (its tasks take ~200 ms each: runs carry no duration parameter).
const REPEATS = Number(process.env.FAULT_RUN_REPEATS ?? Math.max(10, Math.ceil(Number(process.env.FAULT_TASKS ?? 36) / 12)));
const GRID = PROBLEMS.length * AGENTS.length * REPEATS;
const SETTLE_MS = Number(process.env.FAULT_SETTLE_MS ?? 120_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Fetches JSON from the api, retrying while it (or what it depends on) is down. */
async function getJson<T>(url: string, init?: RequestInit, okStatus = [200]): Promise<{ status: number; body: T }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const answer = await fetch(url, init).then(async (res) => ({ status: res.status, body: okStatus.includes(res.status) ? ((await res.json()) as T) : (null as T) }), () => ({ status: 0, body: null as T }));
    if (okStatus.includes(answer.status) || Date.now() > deadline) return answer;
    await sleep(250);
  }
}

describe('fault injection on a run', () => {
  it(`a ${GRID}-task run survives worker and api kills and broker and database restarts: its counts and status come out exact`, async () => {
    const system = new FaultSystem();
    await system.start();
    try {
      const create = { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `fault-run-${Date.now()}` }, body: JSON.stringify({ name: 'fault run', problem_ids: PROBLEMS, agents: AGENTS, repeats: REPEATS, max_retries: 3 }) };
      const created = await getJson<{ run_id: string; task_count: number }>(`${system.apiUrl}/runs`, create, [200, 201]);
      expect(created.body.task_count).toBe(GRID);
      const runId = created.body.run_id;
      const runUrl = `${system.apiUrl}/runs/${runId}`;

      const processing = async () => {
        for (let i = 0; i < 200; i++) {
          const task = await system.db.task.findFirst({ where: { runId, status: 'processing' }, select: { workerId: true } });
          const worker = system.workers.find((w) => w.label === task?.workerId);
          if (worker) return worker;
          await sleep(25);
        }
        return system.workers[0];
      };
      const worker = await processing();
      await worker.kill();
      await sleep(500);
      await worker.start();
      await system.api.kill();
      await sleep(500);
      await system.api.start();
      await restartRabbitMq(2000);
      await restartPostgres();

      await system.waitAllTerminal(SETTLE_MS);
      const tasks = await system.db.task.findMany({ where: { runId }, select: { id: true, status: true, agentLabel: true, problemId: true, repeatIndex: true } });
      const direct = await system.countByStatus();
      const { body: run } = await getJson<{ status: string; task_count: number; grid_size: number; counts: Record<string, number>; agents: { label: string; task_count: number; counts: Record<string, number> }[] }>(runUrl);
      expect(tasks).toHaveLength(GRID);
      expect(new Set(tasks.map((t) => `${t.problemId}|${t.agentLabel}|${t.repeatIndex}`)).size).toBe(GRID);
      expect(run).toMatchObject({ status: 'finished', task_count: GRID, grid_size: GRID });
      expect(Object.fromEntries(Object.entries(run.counts).filter(([, n]) => n > 0))).toEqual(direct);
      expect(run.counts.completed).toBe(GRID);
      expect(run.agents.map((a) => [a.label, a.task_count, a.counts.completed])).toEqual(AGENTS.map((a) => [a.label, GRID / AGENTS.length, GRID / AGENTS.length]));

      // The fault runner reports success without a detection verdict: detection cells are unsolved, the others solved.
      const { body: results } = await getJson<{ rows: { agent_label: string; task_type: string; n: number; scored: number; solved: number }[] }>(`${runUrl}/results`);
      for (const agent of AGENTS) {
        expect(results.rows.find((r) => r.agent_label === agent.label && r.task_type === 'all')).toMatchObject({ n: PROBLEMS.length * REPEATS, scored: PROBLEMS.length * REPEATS, solved: 2 * REPEATS });
      }
      const exported = await fetch(`${runUrl}/export`).then((r) => r.text());
      const ids = exported.trim().split('\n').map((line) => (JSON.parse(line) as { task_id: string }).task_id);
      expect(new Set(ids)).toEqual(new Set(tasks.map((t) => t.id)));

      expect(overlappingExecutions(readExecutions(system.runLog))).toEqual([]);
      expect(await system.verifyHistory()).toMatchObject({ ok: true, gaps: 0, duplicates: 0, inconsistencies: 0 });
      expect(await system.waitQueuesEmpty(20_000)).toEqual({});
    } finally {
      await system.stop();
    }
  }, SETTLE_MS + 180_000);
});
