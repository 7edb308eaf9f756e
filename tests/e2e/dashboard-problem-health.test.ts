import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { waitUntil } from '../support/amqp-helpers';
import { startUiSystem, UiSystem } from '../support/ui-system';

const ROOT = path.resolve(__dirname, '../..');
const SHOTS = path.join(ROOT, 'test-output/ui');
// fail_setup() / fail_agent() play those failures; reference agents answer as reference_agent.py; else the demo runner.
const RUNNER = `env DEMO_RUNNER_SPEED=0 '${process.execPath}' '${path.join(ROOT, 'services/worker/test/fixtures/setup-or-agent-fails.js')}'`;
const DETECTION = 'k8s_target_port-misconfig-detection-1';
const NOOP = 'noop_detection_hotel_reservation-1';
const MITIGATION = 'k8s_target_port-misconfig-mitigation-1';
const LOCALIZATION = 'k8s_target_port-misconfig-localization-1';
const SETUP_FAILS = { label: 'setup_fails', agent_config: { kind: 'scripted', actions: ['fail_setup()'] } };
const AGENT_FAILS = { label: 'agent_fails', agent_config: { kind: 'scripted', actions: ['fail_agent()'] } };

jest.setTimeout(240_000);

/**
 * Issue 24 in Debian's chromium against real processes (api and a worker whose stand-in runner
 * fails in setup or in the agent's loop on demand): the problem-health page, a run's outcome
 * classes with an infra error next to an agent error and the infra-errors column, and a
 * budget_exhausted run whose budget is raised from its page.
 */
describe('dashboard: problem health, infra errors apart, budgets', () => {
  let ui: UiSystem;
  let page: Page;
  let problems: string[];
  let base: string;
  const post = async (body: object) => ((await (await fetch(`${base}/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as { run_id: string });
  const runOf = async (id: string) => (await (await fetch(`${base}/runs/${id}`)).json()) as { status: string; budget_usd: number | null; task_count: number };
  const ended = (id: string) => waitUntil(async () => !['running'].includes((await runOf(id)).status), 120_000, `run ${id} to end`);

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    ui = await startUiSystem('health', RUNNER);
    ({ page, problems, base } = ui);
  });

  afterAll(async () => {
    await ui?.stop();
  });

  it('a run shows an infra error (setup) next to an agent error, and counts the infra error in its own column', async () => {
    const yes = { label: 'yes', agent_config: { kind: 'scripted', actions: ['submit("Yes")'] } };
    const { run_id: runId } = await post({ name: 'faults', problem_ids: [DETECTION], agents: [SETUP_FAILS, AGENT_FAILS, yes], max_infra_retries: 0 });
    await ended(runId);
    await page.goto(`${base}/ui/tasks?run_id=${runId}`);
    await page.locator('[data-cell="answer"] .badge').nth(2).waitFor();
    const outcomes = await page.$$eval('[data-cell="answer"] .badge', (els) => els.map((el) => `${el.getAttribute('data-outcome')}:${el.getAttribute('data-origin')}`).sort());
    expect(outcomes).toEqual(['agent_error:agent', 'correct:evaluation', 'infra_error:setup']);
    await page.screenshot({ path: path.join(SHOTS, 'run-tasks-infra-vs-agent-error.png'), fullPage: true });
    await page.goto(`${base}/ui/runs/${runId}`);
    await page.locator('.results-card th', { hasText: 'Infra errors' }).waitFor();
    const heads = await page.$$eval('.results-card table thead th', (els) => els.map((el) => el.textContent!.trim()));
    const column = heads.findIndex((h) => h.startsWith('Infra errors'));
    const infra = await page.$$eval(`.results-card table tbody tr`, (rows, i) => rows.map((row) => [row.getAttribute('data-agent') ?? row.children[0].textContent!.trim(), row.children[i]?.textContent?.trim()]), column);
    expect(infra.some(([agent, n]) => String(agent).includes('setup_fails') && n === '1')).toBe(true);
    await page.locator('.results-card').screenshot({ path: path.join(SHOTS, 'run-results-infra-errors.png') });
  });

  it('the problem-health page shows each problem\'s flags, counts and setup p50/p95 as GET /problems/health reports them', async () => {
    const calibration = await post({ name: 'calibration', problem_ids: [DETECTION, NOOP, MITIGATION], calibration: true, repeats: 2 });
    const setup = await post({ name: 'flaky host', problem_ids: [LOCALIZATION], agents: [SETUP_FAILS], repeats: 3, max_infra_retries: 0 });
    await ended(calibration.run_id);
    await ended(setup.run_id);
    const report = (await (await fetch(`${base}/problems/health`)).json()) as { flagged: number; problems: { problem_id: string; flags: string[]; finished: number; do_nothing: { solved: number; scored: number }; setup_s: { p50: number | null } }[] };
    const entry = (id: string) => report.problems.find((p) => p.problem_id === id)!;
    expect(entry(MITIGATION).flags).toContain('do_nothing_passes'); // the demo's mitigation grader passes a bare submit()
    expect(entry(LOCALIZATION).flags).toContain('setup_unreliable');
    expect(entry(DETECTION).flags).not.toContain('do_nothing_passes');
    expect(entry(NOOP).flags).toEqual([]); // do_nothing's "No" is right on a noop problem: a note, not a flag

    await page.goto(`${base}/ui/runs/${calibration.run_id}`);
    await page.locator('h1 [data-calibration]').waitFor();
    await page.click('nav a:has-text("Problem health")');
    await page.locator('.problem-health-table').waitFor();
    expect(page.url()).toContain('/ui/problems/health');
    const row = (id: string) => `.problem-health-table tr[data-problem="${id}"]`;
    expect(await page.$$eval(`${row(MITIGATION)} [data-flag]`, (els) => els.map((el) => el.getAttribute('data-flag')))).toEqual(entry(MITIGATION).flags);
    expect(await page.$$eval(`${row(LOCALIZATION)} [data-flag]`, (els) => els.map((el) => el.getAttribute('data-flag')))).toEqual(entry(LOCALIZATION).flags);
    expect(await page.locator(`${row(NOOP)} [data-flag]`).count()).toBe(0);
    expect((await page.textContent(`${row(DETECTION)} [data-cell="do_nothing"]`))!.trim()).toBe(`${entry(DETECTION).do_nothing.solved}/${entry(DETECTION).do_nothing.scored}`);
    expect((await page.textContent(`${row(DETECTION)} [data-cell="finished"]`))!.trim()).toBe(String(entry(DETECTION).finished));
    expect((await page.textContent(`${row(DETECTION)} [data-cell="setup_p50"]`))!.trim()).toMatch(/^\d+(\.\d+)? s$/);
    expect((await page.textContent(`${row(LOCALIZATION)} [data-cell="setup_p50"]`))!.trim()).toBe('—');
    expect(await page.getAttribute('.health-summary', 'data-flagged')).toBe(String(report.flagged));
    await page.screenshot({ path: path.join(SHOTS, 'problem-health.png'), fullPage: true });
  });

  it('a budget_exhausted run shows its budget and takes a higher one from its page; the rest of the grid then runs', async () => {
    const { run_id: runId } = await post({ name: 'budgeted', problem_ids: [DETECTION], agents: [{ label: 'gpt', agent_config: { kind: 'registry', name: 'gpt' } }], repeats: 3, budget_usd: 0.000001 });
    await waitUntil(async () => (await runOf(runId)).status === 'budget_exhausted', 120_000, 'the run to exhaust its budget');
    await page.goto(`${base}/ui/runs/${runId}`);
    await page.locator('.run-budget').waitFor();
    expect(await page.getAttribute('h1 .badge[data-status]', 'data-status')).toBe('budget_exhausted');
    expect(await page.textContent('.run-budget')).toContain('Budget exhausted');
    expect(await page.getAttribute('.run-budget', 'data-budget')).toBe('0.000001');
    await page.screenshot({ path: path.join(SHOTS, 'run-budget-exhausted.png'), fullPage: true });
    await page.fill('.budget-form input[name="budget_usd"]', '5');
    await page.click('.budget-form button[type="submit"]');
    await page.locator('[data-budget-result]').waitFor();
    expect(await page.textContent('[data-budget-result]')).toMatch(/raised .* to \$5.*2 tasks created/);
    await ended(runId);
    expect(await runOf(runId)).toMatchObject({ status: 'finished', budget_usd: 5, task_count: 3 });
    expect(problems).toEqual([]);
  });
});
