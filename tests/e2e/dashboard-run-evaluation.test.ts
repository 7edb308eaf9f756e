import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { waitUntil } from '../support/amqp-helpers';
import { startUiSystem, UiSystem } from '../support/ui-system';

const ROOT = path.resolve(__dirname, '../..');
const SHOTS = path.join(ROOT, 'test-output/ui');
const DEMO_RUNNER = `env DEMO_RUNNER_SPEED=0 '${process.execPath}' '${path.join(ROOT, 'services/worker/runner/demo-runner.js')}'`;
const DETECTION = 'k8s_target_port-misconfig-detection-1';
const LOCALIZATION = 'k8s_target_port-misconfig-localization-1';
// "Yes" is right for detection and wrong for localization; a service list the other way round.
const SAYS_YES = { label: 'yes', agent_config: { kind: 'scripted', actions: ['submit("Yes")'] } };
const LISTS_A_SERVICE = { label: 'lists', agent_config: { kind: 'scripted', actions: ['exec_shell("kubectl get pods")', 'submit(["user-service"])'] } };

jest.setTimeout(240_000);

/**
 * The run page's evaluation views (issue 24, item 8) in Debian's chromium against real processes:
 * the problem × agent heatmap with Wilson intervals in its tooltips, the paired comparison of two
 * agents with McNemar's p and the api's warnings, and outcome classes with their origin.
 */
describe('dashboard run page: heatmap, paired comparison, outcome classes', () => {
  let ui: UiSystem;
  let page: Page;
  let problems: string[];
  let base: string;
  let runId: string;
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    ui = await startUiSystem('eval', DEMO_RUNNER);
    ({ page, problems, base } = ui);
    const res = await fetch(`${base}/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'yes vs lists', problem_ids: [DETECTION, LOCALIZATION], agents: [SAYS_YES, LISTS_A_SERVICE], repeats: 2, max_steps: 5 }) });
    runId = ((await res.json()) as { run_id: string }).run_id;
    await waitUntil(async () => ((await (await fetch(`${base}/runs/${runId}`)).json()) as { status: string }).status !== 'running', 90_000, 'the run to end');
  });

  afterAll(async () => {
    await ui?.stop();
  });

  it('the heatmap shows solved / scored per problem × agent, coloured by the rate, with the Wilson interval in the tooltip', async () => {
    await page.goto(`${base}/ui/runs/${runId}`);
    const cell = (problem: string, agent: string) => `.heatmap tr[data-problem="${problem}"] td[data-agent="${agent}"]`;
    await page.locator(cell(DETECTION, 'yes')).waitFor();
    expect((await page.textContent(cell(DETECTION, 'yes')))!.trim()).toBe('2/2');
    expect((await page.textContent(cell(DETECTION, 'lists')))!.trim()).toBe('0/2');
    expect((await page.textContent(cell(LOCALIZATION, 'lists')))!.trim()).toBe('2/2');
    expect(await page.getAttribute(cell(DETECTION, 'yes'), 'title')).toMatch(/95 % Wilson interval 34\.2 % – 100\.0 %/);
    const colour = (selector: string) => page.$eval(selector, (el) => getComputedStyle(el).backgroundColor);
    expect(await colour(cell(DETECTION, 'yes'))).not.toBe(await colour(cell(DETECTION, 'lists')));
    await page.locator('.heatmap-card').screenshot({ path: path.join(SHOTS, 'run-heatmap.png') });
  });

  it('two agents of the run are compared problem by problem: difference, interval and McNemar p, picked through the query string', async () => {
    await page.goto(`${base}/ui/runs/${runId}?agent_a=yes&agent_b=lists`);
    const row = '.agent-compare tr[data-agent-a="yes"][data-agent-b="lists"]';
    await page.locator(row).waitFor();
    const api = (await (await fetch(`${base}/runs/compare?a=${runId}&agent_a=yes&agent_b=lists`)).json()) as { by_agent: { difference: number; mcnemar_p: number | null }[] };
    expect((await page.textContent(`${row} [data-stat="difference"]`))!.trim()).toBe(`${api.by_agent[0].difference >= 0 ? '+' : '−'}${Math.abs(api.by_agent[0].difference * 100).toFixed(1)} pp`);
    expect((await page.textContent(`${row} [data-stat="p"]`))!.trim()).toBe(api.by_agent[0].mcnemar_p === null ? '—' : api.by_agent[0].mcnemar_p.toFixed(3));
    await page.selectOption('.agent-compare select[name="agent_a"]', 'lists');
    await page.selectOption('.agent-compare select[name="agent_b"]', 'yes');
    await page.locator('.agent-compare tr[data-agent-a="lists"][data-agent-b="yes"]').waitFor();
    expect(page.url()).toContain('agent_a=lists');
    await page.locator('.agent-compare-card').screenshot({ path: path.join(SHOTS, 'run-agent-compare.png') });
  });

  it('comparing with an unfinished run shows the api\'s warnings next to the by-agent rows', async () => {
    const res = await fetch(`${base}/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'still waiting', problem_ids: [DETECTION], agents: [SAYS_YES], repeats: 50, max_steps: 5 }) });
    const other = ((await res.json()) as { run_id: string }).run_id;
    await page.goto(`${base}/ui/runs/${runId}?compare=${other}`);
    await page.locator('.comparison .warnings li').first().waitFor();
    expect(await page.locator('.comparison .warnings li').count()).toBeGreaterThan(0);
    await page.locator('.comparison .by-agent').waitFor();
    await shot('run-compare-warnings');
    await fetch(`${base}/runs/${other}`, { method: 'DELETE' });
  });

  it('the run\'s tasks show outcome classes: a wrong answer is incorrect, each with its origin in the tooltip', async () => {
    await page.goto(`${base}/ui/tasks?run_id=${runId}`);
    await page.locator('[data-cell="answer"] .badge').first().waitFor();
    const outcomes = await page.$$eval('[data-cell="answer"] .badge', (els) => els.map((el) => [el.getAttribute('data-outcome'), el.getAttribute('data-origin')]));
    expect(outcomes).toHaveLength(8);
    expect(outcomes.filter(([o]) => o === 'correct')).toHaveLength(4);
    expect(outcomes.filter(([o]) => o === 'incorrect')).toHaveLength(4);
    expect(outcomes.every(([, origin]) => origin === 'evaluation')).toBe(true);
    expect(problems).toEqual([]);
  });
});
