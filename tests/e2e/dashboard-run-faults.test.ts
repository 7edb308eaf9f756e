import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { waitUntil } from '../support/amqp-helpers';
import { startUiSystem, UiSystem } from '../support/ui-system';

const ROOT = path.resolve(__dirname, '../..');
const SHOTS = path.join(ROOT, 'test-output/ui');
const RUNNER = path.join(ROOT, 'services/worker/runner/demo-runner.js');
const DEMO_RUNNER = `env DEMO_RUNNER_SPEED=0 '${process.execPath}' '${RUNNER}'`;
const DETECTION = 'k8s_target_port-misconfig-detection-1';
const LOCALIZATION = 'k8s_target_port-misconfig-localization-1';
// "Yes" is right for detection and wrong for localization; a service list the other way round.
const SAYS_YES = { label: 'yes', agent_config: { kind: 'scripted', actions: ['submit("Yes")'] } };
const LISTS_A_SERVICE = { label: 'lists', agent_config: { kind: 'scripted', actions: ['exec_shell("kubectl get pods")', 'submit(["user-service"])'] } };
const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

jest.setTimeout(240_000);

interface RunView {
  status: string;
  counts: Record<string, number>;
}

/**
 * The faults a researcher found in the runs views (issue 24, item 8), each checked in Debian's
 * chromium against real processes (api, history, a worker with the demo runner): the runs list's
 * success column and distinct finished/cancelled badges; the tasks list's answer and repeat
 * columns; the results table's token labels, localization accuracy, "Not scored", pass^k with its
 * k; "Retry failed" only with something to retry; dates on times; the whole trajectory.
 */
describe('dashboard run views: the evaluation faults, fixed', () => {
  let ui: UiSystem;
  let page: Page;
  let problems: string[];
  let base: string;
  const runs: Record<string, string> = {};

  async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
    const res = await fetch(`${base}${url}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as T;
  }

  const createRun = async (name: string, agents: unknown[], repeats: number, problemIds = [DETECTION, LOCALIZATION]) =>
    (await call<{ run_id: string }>('POST', '/runs', { name, problem_ids: problemIds, agents, repeats, max_steps: 5 })).run_id;
  const runOf = (id: string) => call<RunView>('GET', `/runs/${id}`);
  const settled = (id: string, what: string) => waitUntil(async () => (await runOf(id)).status !== 'running', 90_000, what);
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const styleOf = (selector: string) =>
    page.$eval(selector, (el) => {
      const style = getComputedStyle(el);
      return { background: style.backgroundColor, color: style.color, decoration: style.textDecorationLine };
    });

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    ui = await startUiSystem('faults', DEMO_RUNNER, { history: true, workerEnv: { HEARTBEAT_INTERVAL_SECONDS: '1' } });
    ({ page, problems, base } = ui);

    // "graded": every cell scored. "retried": queued behind it, two of its tasks cancelled before
    // a worker takes them. "cancelled": cancelled while most of it waits.
    runs.graded = await createRun('yes vs lists', [SAYS_YES, LISTS_A_SERVICE], 2);
    runs.retried = await createRun('one cancelled pair', [SAYS_YES], 2, [DETECTION]);
    const waiting = await call<{ tasks: { task_id: string }[] }>('GET', `/tasks?run_id=${runs.retried}&status=pending&limit=2`);
    if (waiting.tasks.length !== 2) throw new Error(`expected 2 waiting tasks to cancel, found ${waiting.tasks.length}`);
    for (const task of waiting.tasks) await call('DELETE', `/tasks/${task.task_id}`);
    runs.cancelled = await createRun('cancelled early', [SAYS_YES], 20, [DETECTION]);
    await call('DELETE', `/runs/${runs.cancelled}`);
    for (const [name, id] of Object.entries(runs)) await settled(id, `run ${name} to end`);
  });

  afterAll(async () => {
    await ui?.stop();
  });

  it('the runs list shows each agent\'s success, dated times, and finished and cancelled badges that look different', async () => {
    await page.goto(`${base}/ui/runs`);
    const graded = `tr[data-run-id="${runs.graded}"]`;
    await page.locator(`${graded} [data-cell="success"] [data-agent="lists"]`).waitFor();
    expect(await page.textContent(`${graded} [data-cell="success"] [data-agent="yes"]`)).toMatch(/^\s*yes 50\.0 %/);
    expect(await page.textContent(`${graded} [data-cell="success"] [data-agent="lists"]`)).toMatch(/^\s*lists 50\.0 %/);
    expect(await page.textContent(`tr[data-run-id="${runs.cancelled}"] .badge`)).toBe('cancelled');
    const finished = await styleOf(`${graded} .badge`);
    const cancelled = await styleOf(`tr[data-run-id="${runs.cancelled}"] .badge`);
    expect(finished.background).not.toBe(cancelled.background);
    expect(finished.color).not.toBe(cancelled.color);
    expect(cancelled.decoration).toBe('line-through');
    expect((await page.textContent(`${graded} td:nth-child(7)`))!.trim()).toMatch(DATE_TIME);
    await shot('runs-list-success');
  });

  it('the results table: pass^k with its k, localization accuracy in %, "Not scored" 0, token totals labelled as totals', async () => {
    await page.goto(`${base}/ui/runs/${runs.graded}`);
    const row = (agent: string, type: string) => `table[data-table="success"] tr[data-agent="${agent}"][data-task-type="${type}"]`;
    await page.locator(row('lists', 'all')).waitFor();
    expect(await page.textContent('table[data-table="success"] thead')).toContain('pass^k (k = 1…2)');
    expect(await page.textContent(`${row('yes', 'detection')} [data-cell="pass-k"]`)).toBe('k=1: 1 · k=2: 1');
    expect(await page.textContent(`${row('yes', 'all')} [data-cell="pass-k"]`)).toBe('k=1: 0.5 · k=2: 0.5');
    expect(await page.textContent(`${row('lists', 'localization')} [data-cell="localization"]`)).toBe('100.0 %');
    expect(await page.textContent(`${row('yes', 'localization')} [data-cell="localization"]`)).toBe('0.0 %');
    expect(await page.$$eval('table[data-table="success"] [data-cell="not-scored"]', (cells) => cells.map((c) => c.textContent))).toEqual(Array(6).fill('0'));

    const results = await call<{ rows: { agent_label: string; task_type: string; prompt_tokens: number }[] }>('GET', `/runs/${runs.graded}/results`);
    const costHeads = await page.$$eval('table[data-table="cost"] th', (cells) => cells.map((c) => c.textContent));
    expect(costHeads).toEqual(expect.arrayContaining(['Prompt tokens (total)', 'Completion tokens (total)']));
    expect(await page.textContent('[data-note="cost"]')).toMatch(/tokens and cost: totals/);
    const total = results.rows.find((r) => r.agent_label === 'yes' && r.task_type === 'all')!.prompt_tokens;
    expect(await page.textContent('table[data-table="cost"] tr[data-agent="yes"][data-task-type="all"] [data-cell="prompt-tokens"]')).toBe(total.toLocaleString('en-US'));
    expect((await page.textContent('.run-summary'))!).toMatch(/created \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
    expect(await page.isDisabled('button:has-text("Retry failed")')).toBe(true); // every cell scored: nothing to retry
    await shot('run-results-fixed');
  });

  it('the tasks list says which answers were right, with the repeat, and a wrong answer is not a green "completed"', async () => {
    await page.goto(`${base}/ui/tasks?run_id=${runs.graded}`);
    await waitUntil(async () => (await page.locator('tr[data-task-id] [data-outcome]').count()) === 8, 20_000, 'an answer for each of the 8 tasks');
    const rows = await page.$$eval('tr[data-task-id]', (trs) =>
      trs.map((tr) => ({
        problem: tr.querySelector('td:nth-child(2)')!.textContent,
        agent: tr.querySelector('[data-cell="agent"]')!.textContent,
        repeat: tr.querySelector('[data-cell="repeat"]')!.textContent,
        answer: tr.querySelector('[data-outcome]')!.getAttribute('data-outcome'),
      })),
    );
    const answers = (agent: string, problem: string) => rows.filter((r) => r.agent === agent && r.problem === problem).map((r) => r.answer);
    expect(answers('yes', DETECTION)).toEqual(['correct', 'correct']);
    expect(answers('yes', LOCALIZATION)).toEqual(['incorrect', 'incorrect']);
    expect(answers('lists', DETECTION)).toEqual(['incorrect', 'incorrect']);
    expect(answers('lists', LOCALIZATION)).toEqual(['correct', 'correct']);
    expect(new Set(rows.filter((r) => r.agent === 'yes' && r.problem === DETECTION).map((r) => r.repeat))).toEqual(new Set(['1', '2']));

    const wrong = `tr[data-task-id]:has([data-outcome="incorrect"])`;
    const completed = await styleOf(`${wrong} .badge[data-status="completed"]`);
    const incorrect = await styleOf(`${wrong} [data-outcome="incorrect"]`);
    const correct = await styleOf(`tr[data-task-id]:has([data-outcome="correct"]) [data-outcome="correct"]`);
    expect(completed.color).not.toBe(correct.color); // "completed" is not the colour of a right answer
    expect(incorrect.color).toBe('rgb(194, 59, 50)');
    expect(correct.color).toBe('rgb(31, 138, 76)');
    expect((await page.textContent('tr[data-task-id] td:nth-last-child(3)'))!.trim()).toMatch(DATE_TIME);
    await shot('tasks-answers');
  });

  it('"Retry failed" is enabled with cells to retry and disabled once nothing is left', async () => {
    await page.goto(`${base}/ui/runs/${runs.retried}`);
    const retry = page.locator('button:has-text("Retry failed")');
    await page.locator('button[data-retryable="2"]').waitFor();
    expect(await retry.isEnabled()).toBe(true);
    page.once('dialog', (dialog) => void dialog.accept());
    await retry.click();
    await page.locator('[data-action-result]', { hasText: 'Retried 2 tasks' }).waitFor();
    await page.locator('h1 .badge', { hasText: 'finished' }).waitFor({ timeout: 60_000 });
    await page.locator('.card .progress:not(.compact)[data-finished="4"][data-total="4"]').waitFor();
    await page.locator('button[data-retryable="0"]').waitFor();
    expect(await retry.isDisabled()).toBe(true);
    expect(await retry.getAttribute('title')).toMatch(/^nothing to retry/);
  });

  it('a task page shows its answer, dated times, and the whole trajectory on one page', async () => {
    const listed = await call<{ tasks: { task_id: string; problem_id: string }[] }>('GET', `/tasks?run_id=${runs.graded}&agent_label=lists`);
    const task = listed.tasks.find((t) => t.problem_id === LOCALIZATION)!;
    const full = await call<{ result: { trajectory: unknown[] } }>('GET', `/tasks/${task.task_id}`);
    expect(full.result.trajectory.length).toBeGreaterThanOrEqual(2);
    await page.goto(`${base}/ui/tasks/${task.task_id}`);
    await page.locator('table.facts [data-outcome="correct"]').waitFor();
    expect((await page.textContent('table.facts tr:has(th:text("Created")) td'))!).toMatch(DATE_TIME);
    await page.click('button:has-text("Whole trajectory")');
    await page.locator('.trajectory-whole > li').first().waitFor();
    expect(await page.locator('.trajectory-whole > li').count()).toBe(full.result.trajectory.length);
    expect(await page.$$eval('.trajectory-whole pre.action', (pres) => pres.map((p) => p.textContent))).toEqual(['exec_shell("kubectl get pods")', 'submit(["user-service"])']);
    await shot('task-trajectory-whole');
    await page.click('button:has-text("Step by step")');
    await page.locator('.step-count', { hasText: `Step 1 of ${full.result.trajectory.length}` }).waitFor();
  });

  it('logged no console error, uncaught exception or failed request', () => {
    expect(problems).toEqual([]);
  });
});
