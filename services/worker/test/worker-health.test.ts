import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { listProblems } from '../../../shared/src/catalog/problem-catalog';
import { waitUntil } from '../../../tests/support/amqp-helpers';
import { TestWorker, WorkerHarness } from './support/worker-harness';

const DEMO_RUNNER = path.resolve(__dirname, '../runner/demo-runner.js');

describe('worker health (in process)', () => {
  let h: WorkerHarness;

  beforeAll(async () => {
    h = await WorkerHarness.create();
  });
  afterAll(() => h.close());

  /** Started without waiting for it to consume (it may never). */
  function startUnchecked(id: string, env: Record<string, string>): Promise<TestWorker> {
    return h.launchWorker(id, { env });
  }

  it('with a failing preflight the worker consumes nothing; once the runner works, a re-check passes, the catalog is refreshed and tasks run', async () => {
    const brokenFlag = path.join(h.workDir, 'runner-broken');
    writeFileSync(brokenFlag, '');
    const worker = await startUnchecked('health-preflight', {
      RUNNER_COMMAND: `test ! -e '${brokenFlag}' && exec '${process.execPath}' '${DEMO_RUNNER}'`,
      DEMO_RUNNER_SPEED: '0',
      RUNNER_PREFLIGHT: 'true',
      REFRESH_PROBLEMS_AT_START: 'true',
      HEALTH_RECHECK_BASE_SECONDS: '0.2',
      HEALTH_RECHECK_CAP_SECONDS: '0.4',
    });
    await waitUntil(async () => (await h.db.worker.findUnique({ where: { id: 'health-preflight' } }))?.status === 'unhealthy', 10_000, 'the worker to report unhealthy');
    expect((await h.db.worker.findUniqueOrThrow({ where: { id: 'health-preflight' } })).healthReason).toMatch(/^preflight failed: .*--list-problems: the runner wrote no problems line on the protocol fd \(exit 1\)$/);
    const submitted = await h.submit({ maxRetries: 0 });
    expect(worker.isConsuming).toBe(false);
    expect((await h.queueDepth(h.topology.queues.dispatch)).consumerCount).toBe(0);

    rmSync(brokenFlag);
    const task = await h.waitForStatus(submitted.id, 'completed', 20_000);
    expect(task).toMatchObject({ attempt: 1, workerId: 'health-preflight' });
    await waitUntil(async () => (await h.db.worker.findUnique({ where: { id: 'health-preflight' } }))?.status === 'idle', 10_000, 'the worker to report idle');
    expect((await h.db.worker.findUniqueOrThrow({ where: { id: 'health-preflight' } })).healthReason).toBeNull();
    expect((await listProblems(h.db)).source).toBe('demo runner (default catalog)');
    await h.stopWorker(worker);
  });

  it('a RUNNER_COMMAND that does not exist hands the task back uncounted (max_retries 0) and marks the worker unhealthy; a healthy worker then runs it', async () => {
    const broken = await startUnchecked('health-no-runner', { RUNNER_COMMAND: '/nonexistent/aiopslab-runner', HEALTH_RECHECK_BASE_SECONDS: '60', HEALTH_RECHECK_CAP_SECONDS: '60' });
    await waitUntil(() => broken.isConsuming, 10_000, 'the worker to consume (no preflight)');
    const submitted = await h.submit({ fixture: 'succeeds', maxRetries: 0 });
    await waitUntil(async () => (await h.db.worker.findUnique({ where: { id: 'health-no-runner' } }))?.status === 'unhealthy', 10_000, 'the worker to report unhealthy');
    expect((await h.db.worker.findUniqueOrThrow({ where: { id: 'health-no-runner' } })).healthReason).toMatch(/^runner_not_runnable: RUNNER_COMMAND exited with code 127 \(command not found\)/);
    expect(await h.db.task.findUniqueOrThrow({ where: { id: submitted.id } })).toMatchObject({ status: 'retrying', attempt: 0, error: null });
    expect(broken.isConsuming).toBe(false);

    await h.startWorker('health-ok');
    const task = await h.waitForStatus(submitted.id, 'completed');
    expect(task).toMatchObject({ attempt: 1, workerId: 'health-ok' });
    const events = await h.events(task.id);
    expect(events.map((e) => [e.to_status, e.worker_id])).toEqual([
      ['processing', 'health-no-runner'],
      ['retrying', 'health-no-runner'],
      ['processing', 'health-ok'],
      ['completed', 'health-ok'],
    ]);
    expect(events[1].notes).toMatch(/^handed back: the environment of worker health-no-runner is broken \(runner_not_runnable: .*\); attempt 1 is not counted$/);
  });
});
