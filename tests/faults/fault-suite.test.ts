import { FaultSystem, restartPostgres, restartRabbitMq } from './support/fault-system';
import { overlappingExecutions, readExecutions, workerConcurrencyViolations } from './support/run-log';

/**
 * With api, history and three workers as real processes and tasks of mixed length in flight,
 * inject one fault per scenario, then prove nothing was lost, duplicated or run twice at once.
 * Quick by default (npm test); FAULT_TASKS=300 for the full run (npm run test:faults).
 */
const TASKS = Number(process.env.FAULT_TASKS ?? 36);
const MAX_DURATION = Number(process.env.FAULT_MAX_TASK_MS ?? 1200);
const SETTLE_MS = Number(process.env.FAULT_SETTLE_MS ?? 120_000);
const rows: Record<string, string | number>[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function busyWorker(system: FaultSystem, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // A task that has most of its run ahead of it, so the fault lands mid-task.
    const task = await system.db.task.findFirst({
      where: { status: 'processing', parameters: { path: ['duration_ms'], gte: 600 }, startedAt: { gt: new Date(Date.now() - 150) } },
      select: { workerId: true },
    });
    const worker = system.workers.find((w) => w.label === task?.workerId);
    if (worker) return worker;
    await sleep(50);
  }
  throw new Error('no worker became busy');
}

async function waitForProgress(system: FaultSystem, completed: number) {
  const deadline = Date.now() + 30_000;
  while ((await system.db.task.count({ where: { status: 'completed' } })) < completed && Date.now() < deadline) await sleep(100);
}

interface Scenario {
  name: string;
  /** Returns the tasks the fault hit (held by a killed or stalled worker), if any. */
  inject(system: FaultSystem): Promise<string[] | void>;
}

/** The tasks a worker holds right now, from the database's point of view. */
async function heldBy(system: FaultSystem, workerId: string): Promise<string[]> {
  const rows = await system.db.task.findMany({ where: { status: 'processing', workerId }, select: { id: true } });
  return rows.map((r) => r.id);
}

const scenarios: Scenario[] = [
  {
    name: 'SIGKILL a worker mid-task',
    async inject(system) {
      await waitForProgress(system, 3);
      const worker = await busyWorker(system);
      await worker.kill();
      const victims = await heldBy(system, worker.label);
      expect(victims).toHaveLength(1);
      await sleep(500);
      await worker.start();
      return victims;
    },
  },
  {
    name: 'SIGKILL the api mid-submission burst',
    async inject(system) {
      while (system.submissions.length < TASKS / 3) await sleep(10);
      await system.api.kill();
      await sleep(500);
      await system.api.start();
    },
  },
  {
    name: 'SIGKILL the history service',
    async inject(system) {
      await waitForProgress(system, 3);
      await system.history.kill();
      await sleep(1500);
      await system.history.start();
    },
  },
  {
    name: 'restart RabbitMQ (stop_app/start_app)',
    async inject(system) {
      await waitForProgress(system, 3);
      await restartRabbitMq(2000);
    },
  },
  {
    name: 'restart PostgreSQL',
    async inject(system) {
      await waitForProgress(system, 3);
      await restartPostgres();
    },
  },
  {
    name: 'SIGSTOP a worker past its lease',
    async inject(system) {
      await waitForProgress(system, 3);
      const worker = await busyWorker(system);
      worker.signal('SIGSTOP');
      const victims = await heldBy(system, worker.label);
      expect(victims).toHaveLength(1);
      await sleep(3 * 2000 + 1500);
      worker.signal('SIGCONT');
      return victims;
    },
  },
];

describe('fault injection', () => {
  afterAll(() => {
    if (rows.length === 0) return;
    const headers = Object.keys(rows[0]);
    const table = [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${headers.map((h) => r[h]).join(' | ')} |`)].join('\n');
    console.log(`fault suite (${TASKS} tasks per scenario, 3 workers):\n${table}`);
  });

  for (const scenario of scenarios) {
    it(`${scenario.name}: every accepted task finishes once, none runs twice at a time, history has no gap`, async () => {
      const system = new FaultSystem();
      await system.start();
      const started = Date.now();
      try {
        const submitting = system.submit(TASKS, scenario.name.includes('api') ? 16 : 6, [100, MAX_DURATION]);
        const victims = (await scenario.inject(system)) ?? [];
        await submitting;
        await system.waitAllTerminal(SETTLE_MS);
        const accepted = system.submissions.filter((s) => s.status === 201 || s.status === 200).map((s) => s.taskId!);
        const stored = await system.db.task.findMany({ select: { id: true, status: true, attempt: true, result: true } });
        const storedIds = new Set(stored.map((t) => t.id));
        const executions = readExecutions(system.runLog);
        const overlaps = overlappingExecutions(executions);
        const perWorker = workerConcurrencyViolations(executions);
        const unfinished = executions.filter((e) => e.end === null);
        const history = await system.verifyHistory();
        const leftInQueues = await system.waitQueuesEmpty(20_000);
        const byStatus = await system.countByStatus();
        const claims = await system.db.statusHistory.groupBy({ by: ['taskId'], where: { toStatus: 'processing' }, _count: { _all: true } });
        const claimMismatch = claims.filter((c) => c._count._all !== stored.find((t) => t.id === c.taskId)?.attempt).length;
        const allRunning = [system.api, system.history, ...system.workers].every((p) => p.isRunning());
        rows.push({
          scenario: scenario.name,
          'accepted (201/200)': accepted.length,
          'retried requests': system.submissions.reduce((n, s) => n + s.attempts - 1, 0),
          stored: stored.length,
          completed: byStatus.completed ?? 0,
          'other terminal': stored.length - (byStatus.completed ?? 0),
          'tasks hit': victims.length,
          retries: stored.reduce((n, t) => n + Math.max(0, t.attempt - 1), 0),
          'overlapping runs': overlaps.length,
          'history gaps/dups': `${history.gaps}/${history.duplicates}`,
          'msgs left': Object.values(leftInQueues).reduce((a, b) => a + b, 0),
          seconds: ((Date.now() - started) / 1000).toFixed(1),
        });
        expect(accepted).toHaveLength(TASKS);
        expect(new Set(accepted).size).toBe(TASKS);
        expect(accepted.filter((id) => !storedIds.has(id))).toEqual([]);
        expect(stored).toHaveLength(TASKS);
        expect(byStatus.completed).toBe(stored.length);
        expect(stored.filter((t) => t.result === null)).toEqual([]);
        // A task held by a killed or stalled worker was taken back and run again elsewhere.
        for (const id of victims) expect(stored.find((t) => t.id === id)).toMatchObject({ status: 'completed', attempt: expect.any(Number) });
        expect(victims.filter((id) => (stored.find((t) => t.id === id)?.attempt ?? 0) < 2)).toEqual([]);
        expect(overlaps).toEqual([]);
        expect(perWorker).toEqual([]);
        expect(unfinished).toEqual([]);
        expect(claimMismatch).toBe(0);
        expect(history).toMatchObject({ ok: true, gaps: 0, duplicates: 0, inconsistencies: 0 });
        expect(leftInQueues).toEqual({});
        expect(allRunning).toBe(true);
      } finally {
        await system.stop();
      }
    }, SETTLE_MS + 120_000);
  }
});
