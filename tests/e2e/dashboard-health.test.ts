import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ApiHarness, PROBLEM, startApiHarness } from '../../services/api/test/api-harness';
import { launchBrowser, watchedPage } from '../support/browser';

const SHOTS = path.resolve(__dirname, '../../test-output/ui');

/** The shell's health line: silent while the api is ok, explicit while RabbitMQ is unreachable. */
describe('dashboard health banner', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  async function serve(h: ApiHarness): Promise<{ server: Server; base: string }> {
    const server = h.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  it('says RabbitMQ is unreachable and how many messages wait in the outbox, and the views still work', async () => {
    const h = await startApiHarness({}, { amqpUrl: 'amqp://guest:guest@127.0.0.1:1' });
    const { server, base } = await serve(h);
    try {
      const submitted = await fetch(`${base}/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ problem_id: PROBLEM, agent_config: { kind: 'registry', name: 'gpt' } }) });
      expect(submitted.status).toBe(201);
      const { page, problems } = await watchedPage(browser);
      await page.goto(`${base}/ui/tasks`);
      const banner = page.locator('.banner[data-health="degraded"]');
      await banner.waitFor();
      expect(await banner.textContent()).toMatch(/RabbitMQ is unreachable.*\(2 messages waiting in the outbox\)/);
      await page.locator('tr[data-task-id]').first().waitFor();
      await page.screenshot({ path: path.join(SHOTS, 'health-degraded.png') });
      expect(problems).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await h.close();
    }
  });

  it('shows nothing while the api is healthy', async () => {
    const h = await startApiHarness();
    const { server, base } = await serve(h);
    try {
      const { page, problems } = await watchedPage(browser);
      const health = page.waitForResponse((response) => response.url().endsWith('/health'));
      await page.goto(`${base}/ui/workers`);
      expect((await (await health).json()).status).toBe('ok');
      await page.locator('h1', { hasText: 'Workers' }).waitFor();
      expect(await page.locator('.banner').count()).toBe(0);
      expect(problems).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await h.close();
    }
  });
});
