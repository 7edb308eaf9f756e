import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { waitUntil } from '../support/amqp-helpers';
import { freePort, ServiceProcess } from '../support/service-process';
import { startUiSystem, UiSystem } from '../support/ui-system';

const ROOT = path.resolve(__dirname, '../..');
const SHOTS = path.join(ROOT, 'test-output/ui');
const RUNNER = path.join(ROOT, 'services/worker/runner/demo-runner.js');
const DEMO_RUNNER = `env DEMO_RUNNER_SPEED=0 '${process.execPath}' '${RUNNER}'`;
const BROKEN_RUNNER = `env DEMO_RUNNER_BROKEN=1 '${process.execPath}' '${RUNNER}'`;
const PROBLEMS = ['k8s_target_port-misconfig-detection-1', 'auth_miss_mongodb-detection-1'];
const SAYS_YES = { label: 'yes', agent_config: { kind: 'scripted', actions: ['submit("Yes")'] } };
const SAYS_NO = { label: 'alt', agent_config: { kind: 'scripted', actions: ['submit("No")'] } };
const LOOKS_THEN_YES = { label: 'alt', agent_config: { kind: 'scripted', actions: ['exec_shell("kubectl get pods -n test-social-network")', 'submit("Yes")'] } };
const PRICES = { yes: { input_per_million: 2.5, output_per_million: 10 }, alt: { input_per_million: 0.15, output_per_million: 0.6 } };

jest.setTimeout(240_000);

interface RunView {
  status: string;
  task_count: number;
  counts: Record<string, number>;
}

/**
 * The runs views in Debian's chromium against real processes (api, history, a worker with the
 * demo runner; later a broken worker): the runs list, a run's progress, results table and
 * chart, "Retry failed" after cancelled tasks, "Cancel run", comparing two runs, the tasks list
 * filtered by run and agent, a retried task's page, and an unhealthy worker. Screenshots go to
 * test-output/ui/.
 */
describe('dashboard runs views in a real browser', () => {
  let ui: UiSystem;
  let page: Page;
  let problems: string[];
  let base: string;
  const extraServices: ServiceProcess[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ui-runs-e2e-'));
  const runs: Record<string, string> = {};
  const log = (name: string) => path.join(dir, `${name}.log`);

  async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
    const res = await fetch(`${base}${url}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  }

  const createRun = async (name: string, agents: unknown[], repeats = 2) =>
    (await call<{ run_id: string }>('POST', '/runs', { name, problem_ids: PROBLEMS, agents, repeats, max_steps: 5 })).run_id;
  const runOf = (id: string) => call<RunView>('GET', `/runs/${id}`);
  const settled = (id: string, what: string) => waitUntil(async () => (await runOf(id)).status !== 'running', 90_000, what);

  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  }

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    ui = await startUiSystem('runs', DEMO_RUNNER, { history: true, apiEnv: { PRICE_TABLE: JSON.stringify(PRICES) }, workerEnv: { HEARTBEAT_INTERVAL_SECONDS: '1' } });
    ({ page, problems, base } = ui);

    // "first" ends with every cell scored; "second" (the improved "alt") waits behind it, and two
    // of its tasks are cancelled before a worker takes them, for "Retry failed".
    runs.first = await createRun('yes vs no', [SAYS_YES, SAYS_NO]);
    runs.second = await createRun('yes vs look-then-yes', [SAYS_YES, LOOKS_THEN_YES]);
    const waiting = await call<{ tasks: { task_id: string; agent_label: string }[] }>('GET', `/tasks?run_id=${runs.second}&agent_label=alt&status=pending&limit=2`);
    if (waiting.tasks.length !== 2) throw new Error(`expected 2 waiting tasks of the second run to cancel, found ${waiting.tasks.length}`);
    for (const task of waiting.tasks) await call('DELETE', `/tasks/${task.task_id}`);
    await settled(runs.second, 'the second run to end');
  });

  afterAll(async () => {
    for (const service of extraServices) await service.stop();
    await ui?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lists runs newest first with their status and progress, and opens a run by its link', async () => {
    await page.goto(`${base}/ui/runs`);
    await page.locator(`tr[data-run-id="${runs.second}"]`).waitFor();
    expect(await page.$$eval('tr[data-run-id]', (rows) => rows.map((row) => row.getAttribute('data-run-id')))).toEqual([runs.second, runs.first]);
    expect(await page.textContent(`tr[data-run-id="${runs.second}"] .badge`)).toBe('finished');
    expect(await page.getAttribute(`tr[data-run-id="${runs.second}"] .progress`, 'data-finished')).toBe('8');
    await shot('runs-list');
    await page.click(`tr[data-run-id="${runs.first}"] a`);
    await page.waitForURL(`${base}/ui/runs/${runs.first}`);
  });

  it('shows a run: complete progress bar, the results tables per agent and task type, and the success-rate chart', async () => {
    await page.goto(`${base}/ui/runs/${runs.first}`);
    await page.locator('.card .progress[data-finished="8"][data-total="8"]').waitFor();
    expect(await page.textContent('.progress-legend')).toMatch(/8 of 8 finished.*completed 8/);
    const success = (agent: string, type: string) => page.textContent(`table[data-table="success"] tr[data-agent="${agent}"][data-task-type="${type}"] [data-cell="success"]`);
    await page.locator('table[data-table="success"] tr[data-agent="alt"][data-task-type="all"]').waitFor();
    expect(await success('yes', 'detection')).toBe('100.0 % ± 0.0');
    expect(await success('yes', 'all')).toBe('100.0 % ± 0.0');
    expect(await success('alt', 'all')).toBe('0.0 % ± 0.0');
    expect(await page.textContent('table[data-table="success"] tr[data-agent="yes"][data-task-type="all"] [data-cell="pass-k"]')).toBe('k=1: 1 · k=2: 1');
    expect(await page.textContent('table[data-table="cost"]')).toMatch(/\$0\.\d{4}/);
    expect(await page.textContent('.chart-value[data-agent="yes"]')).toBe('yes 100.0 % ± 0.0');
    // The bars are drawn: the canvas holds many pixels of the bar colour.
    const barPixels = await page.$eval('.chart-box canvas', (canvas) => {
      const { data } = (canvas as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, (canvas as HTMLCanvasElement).width, (canvas as HTMLCanvasElement).height);
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] === 0x6f && data[i + 1] === 0x8f && data[i + 2] === 0xe6) n++;
      return n;
    });
    expect(barPixels).toBeGreaterThan(1000);
    expect(await page.getAttribute('a:has-text("Results CSV")', 'href')).toBe(`/runs/${runs.first}/results?format=csv`);
    expect(await page.getAttribute('a:has-text("Export (NDJSON")', 'href')).toBe(`/runs/${runs.first}/export`);
    const csv = await page.evaluate(async (href) => (await fetch(href)).text(), `/runs/${runs.first}/results?format=csv`);
    expect(csv.split('\n')[0]).toMatch(/^agent_label,task_type,n,/);
  });

  it("links to the run's tasks, filtered by run and then by agent", async () => {
    await page.click('a:has-text("Tasks of this run")');
    await page.waitForURL(new RegExp(`/ui/tasks\\?run_id=${runs.first}$`));
    await waitUntil(async () => (await page.locator('tr[data-task-id]').count()) === 8, 15_000, "the run's 8 tasks");
    await page.fill('input[name=agent_label]', 'alt');
    await page.press('input[name=agent_label]', 'Enter');
    await page.waitForURL(/agent_label=alt/);
    await waitUntil(async () => (await page.locator('tr[data-task-id]').count()) === 4, 15_000, "the agent's 4 tasks");
    const agents = await page.$$eval('tr[data-task-id] td[data-cell="agent"]', (cells) => [...new Set(cells.map((c) => c.textContent))]);
    expect(agents).toEqual(['alt']);
    await shot('tasks-of-run');
  });

  it('"Retry failed" on a run with cancelled tasks says how many were retried, and the new tasks run', async () => {
    expect(await runOf(runs.second)).toMatchObject({ status: 'finished', task_count: 8, counts: { completed: 6, cancelled: 2 } });
    await page.goto(`${base}/ui/runs/${runs.second}`);
    await page.locator('.card .progress[data-finished="8"][data-total="8"]').waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('button:has-text("Retry failed")');
    await page.locator('[data-action-result]', { hasText: 'Retried 2 tasks' }).waitFor();
    await page.locator('.card .progress[data-total="10"]').waitFor();
    await page.locator('.card .progress[data-finished="10"][data-total="10"]').waitFor({ timeout: 60_000 });
    await page.locator('h1 .badge', { hasText: 'finished' }).waitFor();
    expect(await page.textContent('.run-summary')).toMatch(/10 tasks \(2 retries\)/);
    expect(await page.textContent('table[data-table="success"] tr[data-agent="alt"][data-task-type="all"] [data-cell="success"]')).toBe('100.0 % ± 0.0');
    await page.click('a:has-text("Tasks of this run")');
    await waitUntil(async () => (await page.locator('tr[data-task-id]').count()) === 10, 15_000, 'the 8 tasks and the 2 retries in the tasks list');
  });

  it("opens a retried task: its run, agent, the task it retries and its session", async () => {
    const page1 = await call<{ tasks: { task_id: string; retry_of: string | null }[] }>('GET', `/tasks?run_id=${runs.second}&agent_label=alt`);
    const retried = page1.tasks.find((t) => t.retry_of)!;
    await page.goto(`${base}/ui/tasks/${retried.task_id}`);
    await page.locator('h1 .badge', { hasText: 'completed' }).waitFor();
    expect(await page.getAttribute('table.facts a[href^="/ui/runs/"]', 'href')).toBe(`/ui/runs/${runs.second}`);
    expect(await page.getAttribute(`table.facts a[href="/ui/tasks/${retried.retry_of}"]`, 'href')).toBe(`/ui/tasks/${retried.retry_of}`);
    expect(await page.textContent('table.facts tr:has(th:text("Agent")) td')).toMatch(/^alt \(scripted · 2 scripted actions\)$/);
    await page.locator('[data-session="kept"] a', { hasText: /session JSON of attempt 1 \(\d+(\.\d)? (B|kB)\)/ }).waitFor();
    const href = (await page.getAttribute('[data-session="kept"] a', 'href'))!;
    expect(href).toBe(`/tasks/${retried.task_id}/session?attempt=1`);
    const kept = await page.evaluate(async (url) => (await fetch(url)).json(), href);
    expect(kept).toMatchObject({ task_id: retried.task_id, attempt: 1, session: { session_id: expect.stringMatching(/^demo-/) } });
    await shot('task-of-run');
  });

  it('compares two runs: the difference with its uncertainty and the problems solved by one run only', async () => {
    await page.goto(`${base}/ui/runs/${runs.first}`);
    await page.locator(`select[name=compare] option[value="${runs.second}"]`).waitFor({ state: 'attached' });
    await page.selectOption('select[name=compare]', runs.second);
    await page.waitForURL(new RegExp(`compare=${runs.second}`));
    await page.locator('.comparison[data-pairs="4"]').waitFor();
    expect(await page.textContent('.comparison [data-stat="difference"]')).toBe('−50.0 ± 28.9 pp');
    expect(await page.textContent('.solved-by:has-text("Solved only by the other run")')).toMatch(/\(2\)/);
    expect(await page.textContent('.solved-by:has-text("Solved only by this run")')).toMatch(/\(0\)/);
    await shot('run-page');
  });

  it('"Cancel run" cancels a running run after a confirm', async () => {
    runs.third = await createRun('long run to cancel', [SAYS_YES, SAYS_NO], 25);
    await page.goto(`${base}/ui/runs/${runs.third}`);
    await page.locator('h1 .badge', { hasText: 'running' }).waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('button:has-text("Cancel run")');
    await page.locator('[data-action-result]', { hasText: /^Cancelled \d+ waiting tasks/ }).waitFor();
    await page.locator('h1 .badge', { hasText: 'cancelled' }).waitFor({ timeout: 30_000 });
    const run = await runOf(runs.third);
    expect(run.status).toBe('cancelled');
    expect(run.counts.cancelled).toBeGreaterThan(50);
    expect(await page.isDisabled('button:has-text("Cancel run")')).toBe(true);
    await shot('run-cancelled');
  });

  it('shows an unhealthy worker with a red badge and the reason it gives', async () => {
    const broken = new ServiceProcess(
      'broken-worker',
      'worker',
      { ...ui.env.env, WORKER_ID: 'ui-broken', CLUSTER_PROVIDER: 'none', RUNNER_COMMAND: BROKEN_RUNNER, REFRESH_PROBLEMS_AT_START: 'false', WORK_DIR: path.join(dir, 'broken'), HEALTH_PORT: String(await freePort()), HEALTH_HOST: '127.0.0.1', HEARTBEAT_INTERVAL_SECONDS: '1' },
      `${base}/workers/ui-broken`, // its own /health answers 503 while it is unhealthy: registered is what counts here
      log('broken-worker'),
    );
    extraServices.push(broken);
    await broken.start();
    await page.goto(`${base}/ui/workers`);
    const row = page.locator('tr[data-worker-id="ui-broken"]');
    await row.locator('.badge.status-unhealthy', { hasText: 'unhealthy' }).waitFor();
    expect(await row.textContent()).toMatch(/preflight failed: .*No module named 'aiopslab'/);
    const badge = await page.evaluate(() => {
      const style = getComputedStyle(document.querySelector('tr[data-worker-id="ui-broken"] .badge')!);
      return [style.backgroundColor, style.color];
    });
    expect(badge).toEqual(['rgb(194, 59, 50)', 'rgb(255, 255, 255)']); // solid red, unlike the pale red of failed tasks
    expect(await page.textContent('.notice.error')).toMatch(/1 worker is unhealthy.*ui-broken/);
    expect(await page.locator('tr[data-worker-id="ui-runs-w1"] .health-reason').count()).toBe(0);
    await shot('workers-unhealthy');
  });

  it('logged no console error, uncaught exception or failed request on any runs view', () => {
    expect(problems).toEqual([]);
  });
});
