import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createPrismaClient, Db } from '../../shared/src/db/prisma-client';
import { waitUntil } from '../support/amqp-helpers';
import { launchBrowser, watchedPage } from '../support/browser';
import { insertTask } from '../support/builders';
import { freePort, ServiceProcess } from '../support/service-process';
import { createTestEnv, TestEnv } from '../support/test-env';
import { TEST_MANAGEMENT_URL } from '../support/test-services';

const ROOT = path.resolve(__dirname, '../..');
const SHOTS = path.join(ROOT, 'test-output/ui');
const DEMO_RUNNER = `env DEMO_RUNNER_SPEED=0.5 '${process.execPath}' '${path.join(ROOT, 'services/worker/runner/demo-runner.js')}'`;
const WORKER_ID = 'ui-w1';
const DETECTION = 'k8s_target_port-misconfig-detection-1';
const LOCALIZATION = 'k8s_target_port-misconfig-localization-1';
const OLD_PROBLEM = 'k8s_target_port-misconfig-mitigation-1';
const SCRIPT = ['exec_shell("kubectl get pods -n test-social-network")', 'submit("Yes")'];

jest.setTimeout(180_000);

/**
 * The dashboard in Debian's chromium against real services: api, history and a worker running
 * the demo runner, as processes over their own database and queue prefix. Clicks through every
 * view, filters, pages, follows a running task's live log, cancels it, and checks that the page
 * logged no console error. Screenshots go to test-output/ui/.
 */
describe('dashboard in a real browser', () => {
  let env: TestEnv;
  let db: Db;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let base: string;
  const services: ServiceProcess[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ui-e2e-'));
  const quick: Record<string, string> = {};

  async function submit(body: Record<string, unknown>): Promise<string> {
    const res = await fetch(`${base}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status !== 201) throw new Error(`POST /tasks answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { task_id: string }).task_id;
  }

  async function statusOf(taskId: string): Promise<string> {
    return ((await (await fetch(`${base}/tasks/${taskId}`)).json()) as { status: string }).status;
  }

  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  }

  async function rowIds(): Promise<string[]> {
    return page.$$eval('table.data tbody tr[data-task-id]', (rows) => rows.map((row) => row.getAttribute('data-task-id') ?? ''));
  }

  /** Waits until the tasks table shows exactly `expected` (in any order). */
  async function waitForRows(expected: string[]): Promise<void> {
    const want = [...expected].sort().join(',');
    await waitUntil(async () => (await rowIds()).sort().join(',') === want, 15_000, `rows ${want}`);
  }

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    env = await createTestEnv();
    db = createPrismaClient(env.databaseUrl);
    const apiPort = await freePort();
    base = `http://127.0.0.1:${apiPort}`;
    const log = (name: string) => path.join(dir, `${name}.log`);
    services.push(new ServiceProcess('api', 'api', { ...env.env, PORT: String(apiPort), HOST: '127.0.0.1', RABBITMQ_MANAGEMENT_URL: TEST_MANAGEMENT_URL }, `${base}/health`, log('api')));
    const historyPort = await freePort();
    services.push(new ServiceProcess('history', 'history', { ...env.env, HEALTH_PORT: String(historyPort), HEALTH_HOST: '127.0.0.1' }, `http://127.0.0.1:${historyPort}/health`, log('history')));
    const workerPort = await freePort();
    const workerEnv = { ...env.env, WORKER_ID, CLUSTER_PROVIDER: 'none', RUNNER_COMMAND: DEMO_RUNNER, REFRESH_PROBLEMS_AT_START: 'false', WORK_DIR: path.join(dir, 'work'), HEALTH_PORT: String(workerPort), HEALTH_HOST: '127.0.0.1', HEARTBEAT_INTERVAL_SECONDS: '1' };
    services.push(new ServiceProcess('worker', 'worker', workerEnv, `http://127.0.0.1:${workerPort}/health`, log('worker')));
    for (const service of services) await service.start();
    browser = await launchBrowser();
    ({ page, problems } = await watchedPage(browser));

    quick.detection = await submit({ problem_id: DETECTION, agent_config: { kind: 'scripted', actions: SCRIPT } });
    quick.localization = await submit({ problem_id: LOCALIZATION, agent_config: { kind: 'registry', name: 'gpt' } });
    // Old tasks that ended long ago (for the pager): a pending one would wait for a dispatch that never comes.
    for (let i = 0; i < 55; i++) {
      const at = new Date(Date.UTC(2025, 5, 1, 0, 0, i));
      await insertTask(db, { problemId: OLD_PROBLEM, status: 'failed', createdAt: at, completedAt: at, dispatchedAt: at });
    }
    await waitUntil(async () => (await statusOf(quick.detection)) === 'completed' && (await statusOf(quick.localization)) === 'completed', 30_000, 'the quick tasks to complete');
  });

  afterAll(async () => {
    await browser?.close();
    for (const service of services.reverse()) await service.stop();
    await db?.$disconnect();
    await env?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('opens at / on the tasks list, which updates live when a task is submitted', async () => {
    await page.goto(`${base}/`);
    await page.waitForURL(`${base}/ui/tasks`);
    await page.locator(`tr[data-task-id="${quick.detection}"]`).waitFor();
    expect(await page.locator(`tr[data-task-id="${quick.detection}"] .badge[data-status]`).textContent()).toBe('completed');
    expect(await page.locator(`tr[data-task-id="${quick.localization}"] td:nth-child(3)`).textContent()).toBe('localization');
    const fresh = await submit({ problem_id: DETECTION, agent_config: { kind: 'scripted', actions: SCRIPT } });
    await page.locator(`tr[data-task-id="${fresh}"]`).waitFor();
    quick.fresh = fresh;
    await shot('tasks-list');
  });

  it('filters by status, task type, problem, worker and date range, and pages by cursor', async () => {
    await waitUntil(async () => (await statusOf(quick.fresh)) === 'completed', 30_000, 'the fresh task to complete');
    await page.selectOption('select[name=status]', 'completed');
    await page.waitForURL(/status=completed/);
    await waitForRows([quick.detection, quick.localization, quick.fresh]);
    await page.selectOption('select[name=task_type]', 'localization');
    await page.waitForURL(/task_type=localization/);
    await waitForRows([quick.localization]);
    await shot('tasks-filtered');
    await page.click('button:has-text("Clear")');
    await page.fill('input[name=worker_id]', WORKER_ID);
    await page.press('input[name=worker_id]', 'Enter');
    await page.waitForURL(/worker_id=ui-w1/);
    await waitForRows([quick.detection, quick.localization, quick.fresh]);
    await page.click('button:has-text("Clear")');
    await page.fill('input[name=created_before]', '2026-01-01T00:00');
    await page.waitForURL(/created_before=/);
    await waitUntil(async () => (await rowIds()).length === 50, 15_000, 'a full first page of old tasks');

    await page.fill('input[name=problem_id]', OLD_PROBLEM);
    await page.press('input[name=problem_id]', 'Enter');
    await page.waitForURL(/problem_id=/);
    await waitUntil(async () => (await rowIds()).length === 50 && (await page.isEnabled('.pager button:has-text("Next")')), 15_000, 'a full first page with a next cursor');
    const first = await rowIds();
    await page.click('.pager button:has-text("Next")');
    await page.locator('.pager', { hasText: 'page 2' }).waitFor();
    await waitUntil(async () => (await rowIds()).length === 5, 15_000, 'the 5 tasks of page 2');
    expect((await rowIds()).filter((id) => first.includes(id))).toEqual([]);
    expect(await page.isDisabled('.pager button:has-text("Next")')).toBe(true);
    await page.click('.pager button:has-text("Previous")');
    await waitUntil(async () => (await rowIds()).join() === first.join(), 15_000, 'page 1 again');
  });

  it('shows a finished task: timeline, result and the trajectory step by step', async () => {
    await page.goto(`${base}/ui/tasks`);
    await page.click(`tr[data-task-id="${quick.detection}"] a`);
    await page.waitForURL(`${base}/ui/tasks/${quick.detection}`);
    await page.locator('.timeline-entry .badge', { hasText: 'completed' }).waitFor();
    expect(await page.$$eval('.timeline-entry .badge', (badges) => badges.map((b) => b.textContent))).toEqual(['pending', 'processing', 'completed']);
    await page.locator('.result table.kv', { hasText: 'Detection Accuracy' }).waitFor();
    expect(await page.textContent('.step-count')).toBe('Step 1 of 2');
    expect(await page.textContent('pre.action')).toBe(SCRIPT[0]);
    expect(await page.textContent('.step-meta')).toMatch(/180 in · 24 out · 204 total/);
    await page.click('button:has-text("Next →")');
    expect(await page.textContent('.step-count')).toBe('Step 2 of 2');
    expect(await page.textContent('pre.action')).toBe(SCRIPT[1]);
    await page.locator('.stream-state', { hasText: 'ended (completed)' }).waitFor();
    await shot('task-completed');
  });

  it('follows a running task: its live log grows, Workers shows it as the current task, and Cancel stops it', async () => {
    const actions = Array.from({ length: 120 }, (_, i) => `exec_shell("kubectl get pods -n ns-${i}")`);
    const running = await submit({ problem_id: DETECTION, max_steps: 200, agent_config: { kind: 'scripted', actions } });
    await waitUntil(async () => (await statusOf(running)) === 'processing', 20_000, 'the long task to start');
    await page.goto(`${base}/ui/tasks/${running}`);
    await page.locator('.stream-state', { hasText: 'live' }).waitFor();
    await page.locator('.log-line', { hasText: 'step 2 ' }).waitFor();
    const before = await page.locator('.log-line').count();
    await waitUntil(async () => (await page.locator('.log-line').count()) > before, 15_000, 'more log lines on the open page');
    expect(await statusOf(running)).toBe('processing');
    await shot('task-running');

    await page.click('nav a:has-text("Workers")');
    const worker = page.locator(`tr[data-worker-id="${WORKER_ID}"]`);
    await worker.locator('.badge', { hasText: 'busy' }).waitFor();
    await worker.locator(`a[href="/ui/tasks/${running}"]`).click();
    await page.waitForURL(`${base}/ui/tasks/${running}`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('button.danger:has-text("Cancel")');
    await page.locator('.notice.ok', { hasText: 'Cancel requested' }).waitFor();
    await page.locator('h1 .badge', { hasText: 'cancelled' }).waitFor();
    await page.locator('.stream-state', { hasText: 'ended (cancelled)' }).waitFor();
    await page.locator('.timeline-entry .badge', { hasText: 'cancelled' }).waitFor();
    expect(await statusOf(running)).toBe('cancelled');
    await shot('task-cancelled');
  });

  it('lists the worker with its status, cluster and heartbeat', async () => {
    await page.click('nav a:has-text("Workers")');
    await page.waitForURL(`${base}/ui/workers`);
    const row = page.locator(`tr[data-worker-id="${WORKER_ID}"]`);
    await row.waitFor();
    expect(await row.locator('.badge').first().textContent()).toMatch(/idle|busy/);
    expect(await row.textContent()).toMatch(/no cluster · none/);
    expect(await row.textContent()).toMatch(/ago/);
    await shot('workers');
  });

  it("shows Ready/Unacked of this deployment's queues, the outbox and a link to the management UI", async () => {
    await page.click('nav a:has-text("Queues")');
    await page.waitForURL(`${base}/ui/queues`);
    await page.locator('tr[data-queue="tasks.dispatch"]').waitFor();
    for (const queue of ['tasks.dead', 'status-history', `task.control.${WORKER_ID}`]) await page.locator(`tr[data-queue="${queue}"]`).waitFor();
    expect(await page.getAttribute('a:has-text("RabbitMQ management UI")', 'href')).toBe('http://127.0.0.1:15672/#/queues');
    expect(await page.textContent('[data-stat="outbox-due"]')).toMatch(/^\d+$/);
    await shot('queues');
  });

  it('logged no console error, uncaught exception or failed request on any view', () => {
    expect(problems).toEqual([]);
  });
});
