import { waitUntil } from '../../../tests/support/amqp-helpers';
import { processExists, waitForRunnerPids } from './support/process-checks';
import { WorkerHarness } from './support/worker-harness';

describe('worker: registry, health and shutdown', () => {
  let h: WorkerHarness;

  beforeAll(async () => {
    h = await WorkerHarness.create();
  });
  afterAll(() => h.close());

  it('registers at start, reports busy with its task while running, and goes offline on a clean shutdown', async () => {
    const worker = await h.startWorker('reg-1');
    expect(await h.db.worker.findUniqueOrThrow({ where: { id: 'reg-1' } })).toMatchObject({ hostname: 'test-host', backend: 'none', status: 'idle', currentTaskId: null, version: '0.1.0' });
    const submitted = await h.submit({ fixture: 'slow', fixtureEnv: { SLOW_MS: '1500' } });
    await waitUntil(async () => (await h.db.worker.findUniqueOrThrow({ where: { id: 'reg-1' } })).currentTaskId === submitted.id, 5000, 'heartbeat with the task');
    expect((await h.db.worker.findUniqueOrThrow({ where: { id: 'reg-1' } })).status).toBe('busy');
    await h.waitForStatus(submitted.id, 'completed');
    await waitUntil(async () => (await h.db.worker.findUniqueOrThrow({ where: { id: 'reg-1' } })).status === 'idle', 5000, 'idle again');
    const before = (await h.db.worker.findUniqueOrThrow({ where: { id: 'reg-1' } })).lastHeartbeatAt;
    await waitUntil(async () => (await h.db.worker.findUniqueOrThrow({ where: { id: 'reg-1' } })).lastHeartbeatAt > before, 5000, 'a later heartbeat');

    const health = await fetch(`http://127.0.0.1:${worker.healthPort}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', service: 'worker', worker_id: 'reg-1', database_status: 'up', queue_status: 'up', worker_status: 'idle', current_task_id: null });
    const metrics = await (await fetch(`http://127.0.0.1:${worker.healthPort}/metrics`)).text();
    expect(metrics).toMatch(/worker_task_attempts_total\{status="completed"\} 1/);

    await h.stopWorker(worker);
    expect(await h.db.worker.findUniqueOrThrow({ where: { id: 'reg-1' } })).toMatchObject({ status: 'offline', currentTaskId: null });
  });

  it('on shutdown, a running task that finishes within the deadline completes before the worker stops', async () => {
    const worker = await h.startWorker('drain-1', { env: { SHUTDOWN_DEADLINE_SECONDS: '20' } });
    const submitted = await h.submit({ fixture: 'slow', fixtureEnv: { SLOW_MS: '1500' } });
    await h.waitForStatus(submitted.id, 'processing');
    await h.stopWorker(worker);
    const task = await h.db.task.findUniqueOrThrow({ where: { id: submitted.id } });
    expect(task).toMatchObject({ status: 'completed', attempt: 1 });
    expect((await h.db.worker.findUniqueOrThrow({ where: { id: 'drain-1' } })).status).toBe('offline');
    expect(await h.queueDepth(h.topology.queues.dispatch)).toMatchObject({ messageCount: 0 });
  });

  it('on shutdown past the deadline, the task is handed back without counting the attempt, requeued, and another worker runs it', async () => {
    const worker = await h.startWorker('drain-2', { env: { SHUTDOWN_DEADLINE_SECONDS: '0.5' } });
    const submitted = await h.submit({ fixture: 'slow', fixtureEnv: { SLOW_MS: '20000' }, maxRetries: 0 });
    const pids = await waitForRunnerPids(() => h.logs(submitted.id));
    await h.stopWorker(worker);
    expect(processExists(pids.runner)).toBe(false);
    const handedBack = await h.db.task.findUniqueOrThrow({ where: { id: submitted.id } });
    expect(handedBack).toMatchObject({ status: 'retrying', attempt: 0, leaseExpiresAt: null });
    expect(await h.queueDepth(h.topology.queues.dispatch)).toMatchObject({ messageCount: 1, consumerCount: 0 });
    const messages = (await h.logs(submitted.id)).map((l) => l.message);
    expect(messages).toContain('worker shutting down; stopping the runner to hand the task back (SIGTERM, SIGKILL after 1 s)');
    expect(messages[messages.length - 1]).toBe('handed back: worker drain-2 is shutting down; attempt 1 is not counted');

    await h.startWorker('drain-3', { env: { RUNNER_COMMAND: `'${process.execPath}' '${__dirname}/fixtures/succeeds.js'` } });
    const task = await h.waitForStatus(submitted.id, 'completed');
    expect(task).toMatchObject({ attempt: 1, workerId: 'drain-3' });
    expect((await h.events(task.id)).map((e) => `${e.to_status}:${e.attempt}:${e.worker_id}`)).toEqual([
      'processing:1:drain-2',
      'retrying:0:drain-2',
      'processing:1:drain-3',
      'completed:1:drain-3',
    ]);
  });
});
