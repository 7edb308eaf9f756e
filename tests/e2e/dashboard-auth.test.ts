import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createPrismaClient, Db } from '../../shared/src/db/prisma-client';
import { launchBrowser, watchedPage } from '../support/browser';
import { insertTask } from '../support/builders';
import { freePort, ServiceProcess } from '../support/service-process';
import { createTestEnv, TestEnv } from '../support/test-env';

const ROOT = path.resolve(__dirname, '../..');
const SHOTS = path.join(ROOT, 'test-output/ui');
const API_TOKEN = 'ui-e2e-token-0123456789abcdef';

jest.setTimeout(90_000);

/**
 * The dashboard against an api with API_TOKEN set: it asks for the token, keeps it in the
 * browser only, and shows every api error (401, 404, 400 with fields, a missing endpoint) as a
 * readable message rather than JSON.
 */
describe('dashboard with API_TOKEN, and its error messages', () => {
  let env: TestEnv;
  let db: Db;
  let api: ServiceProcess;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  let base: string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ui-auth-'));
  let failedTaskId: string;

  async function notices(): Promise<string> {
    return (await page.locator('.notice').allTextContents()).join('\n');
  }

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    env = await createTestEnv();
    db = createPrismaClient(env.databaseUrl);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    api = new ServiceProcess('api', 'api', { ...env.env, PORT: String(port), HOST: '127.0.0.1', API_TOKEN }, `${base}/health`, path.join(dir, 'api.log'));
    await api.start();
    const failed = await insertTask(db, { status: 'failed', attempt: 3, error: { kind: 'runner_error', message: 'AIOpsLab setup failed: namespace test-social-network not found' }, startedAt: new Date(Date.now() - 5000), completedAt: new Date() });
    failedTaskId = failed.id;
    browser = await launchBrowser();
    ({ page, problems } = await watchedPage(browser));
  });

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await db?.$disconnect();
    await env?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('asks for the token, refuses a wrong one readably, and keeps the right one in this tab only', async () => {
    await page.goto(`${base}/ui/`);
    await page.locator('h2', { hasText: 'API token required' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'token-prompt.png') });
    await page.fill('input[name=token]', 'not-the-token-at-all');
    await page.click('button:has-text("Use token")');
    await page.locator('.token-form', { hasText: 'That token was refused' }).waitFor();
    expect(await page.textContent('.token-form')).toContain('Unauthorized: send Authorization: Bearer <API_TOKEN>');
    expect(await page.evaluate("sessionStorage.getItem('aiopslab.apiToken')")).toBeNull();
    await page.fill('input[name=token]', API_TOKEN);
    await page.click('button:has-text("Use token")');
    await page.locator(`tr[data-task-id="${failedTaskId}"]`).waitFor();
    expect(await page.evaluate("[sessionStorage.getItem('aiopslab.apiToken'), localStorage.getItem('aiopslab.apiToken')]")).toEqual([API_TOKEN, null]);
    expect(page.url()).not.toContain(API_TOKEN);
    await page.reload();
    await page.locator(`tr[data-task-id="${failedTaskId}"]`).waitFor();
  });

  it("shows a failed task's error, and Retry makes a new task", async () => {
    await page.click(`tr[data-task-id="${failedTaskId}"] a`);
    await page.locator('.task-error', { hasText: 'runner_error: AIOpsLab setup failed: namespace test-social-network not found' }).waitFor();
    await page.click('button:has-text("Retry")');
    await page.locator('.notice.ok, .notice.error[role=alert]').first().waitFor();
    const text = await notices();
    expect(text).toMatch(/Retried as a new task: [0-9a-f-]{36}/);
    expect(text).not.toContain('{"');
    await page.screenshot({ path: path.join(SHOTS, 'task-failed-retry.png'), fullPage: true });
  });

  it('explains an unknown task and a bad filter in words, naming the field', async () => {
    const unknown = randomUUID();
    await page.goto(`${base}/ui/tasks/${unknown}`);
    await page.locator('.notice.error', { hasText: 'Loading the task failed: Not Found' }).waitFor();
    expect(await notices()).toContain(unknown);
    await page.screenshot({ path: path.join(SHOTS, 'error-unknown-task.png') });
    await page.goto(`${base}/ui/tasks?created_after=yesterday`);
    await page.locator('.notice.error', { hasText: 'Loading tasks failed: Bad Request' }).waitFor();
    expect(await page.locator('.notice.error li').allTextContents()).toEqual([expect.stringMatching(/^created_after .*date-time/)]);
    expect(await notices()).not.toContain('{"');
  });

  it("downloads a run's results CSV and export with the token, which a plain link could not send", async () => {
    const created = await fetch(`${base}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_TOKEN}` },
      body: JSON.stringify({ name: 'auth run', problem_ids: ['k8s_target_port-misconfig-detection-1'], agents: [{ label: 'solo', agent_config: { kind: 'scripted', actions: ['submit("Yes")'] } }], repeats: 1 }),
    });
    const runId = ((await created.json()) as { run_id: string }).run_id;
    await page.goto(`${base}/ui/runs/${runId}`);
    await page.locator('h1', { hasText: 'auth run' }).waitFor();
    for (const [link, firstLine] of [
      ['Results CSV', /^agent_label,task_type,n,/],
      ['Export (NDJSON', /^$/], // no task has finished: an empty export
    ] as const) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`a:has-text("${link}")`)]);
      const file = await download.path();
      expect(fs.readFileSync(file!, 'utf8').split('\n')[0]).toMatch(firstLine);
    }
    expect(await notices()).not.toMatch(/Unauthorized/);
  });

  it('forgets the token on request and asks again', async () => {
    await page.goto(`${base}/ui/workers`);
    await page.click('button:has-text("Forget token")');
    await page.locator('h2', { hasText: 'API token required' }).waitFor();
    expect(await page.evaluate("sessionStorage.getItem('aiopslab.apiToken')")).toBeNull();
  });

  it('logged nothing but the refused requests themselves: no uncaught error, no other console error', () => {
    const unexpected = problems.filter((p) => !/^console\.error: Failed to load resource: the server responded with a status of (400|401|404)/.test(p));
    expect(unexpected).toEqual([]);
  });
});
