import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { ApiHarness, startApiHarness } from '../../services/api/test/api-harness';
import { launchBrowser, watchedPage } from '../support/browser';

/**
 * The dashboard's pure modules, run where they run: imported by chromium from the api through
 * the import map (no bundler or Node shim in between).
 */
describe('dashboard modules in the browser', () => {
  let h: ApiHarness;
  let server: Server;
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    h = await startApiHarness();
    server = h.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    browser = await launchBrowser();
    ({ page, problems } = await watchedPage(browser));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/ui/queues`);
    await page.locator('h1', { hasText: 'Queues' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await h?.close();
  });

  /** Runs `body` (an async function body) in the page; a string, so ts-jest leaves its import() alone. */
  function inBrowser<T>(body: string): Promise<T> {
    return page.evaluate(`(async () => { ${body} })()`) as Promise<T>;
  }

  it('parses server-sent events split anywhere across chunks, keeping the unfinished rest', async () => {
    const result = await inBrowser<{ events: unknown[]; rest: string; crlf: unknown[]; tail: string }>(String.raw`
      const { parseEvents } = await import('/ui/js/lib/event-stream.js');
      const stream = 'id: 1\nevent: log\ndata: {"seq":1}\n\n: keepalive\n\nid: 2\nevent: log\ndata: line one\ndata: line two\n\nevent: end\ndata: {"status":"completed"}\n\n';
      const events = [];
      let rest = '';
      for (let i = 0; i < stream.length; i += 7) {
        const parsed = parseEvents(rest + stream.slice(i, i + 7));
        events.push(...parsed.events);
        rest = parsed.rest;
      }
      return { events, rest, crlf: parseEvents('event: log\r\ndata: x\r\n\r\npartial').events, tail: parseEvents('data: a\n\ndata: b').rest };`);
    expect(result.events).toEqual([
      { event: 'log', id: '1', data: '{"seq":1}' },
      { event: 'log', id: '2', data: 'line one\nline two' },
      { event: 'end', id: null, data: '{"status":"completed"}' },
    ]);
    expect(result.rest).toBe('');
    expect(result.crlf).toEqual([{ event: 'log', id: null, data: 'x' }]);
    expect(result.tail).toBe('data: b');
  });

  it('matches routes with decoded parameters, and builds query strings without empty filters', async () => {
    const result = await inBrowser(`
      const { matchRoute } = await import('/ui/js/lib/router.js');
      const { query } = await import('/ui/js/lib/api.js');
      const routes = [{ path: '/ui/tasks' }, { path: '/ui/tasks/:id' }, { path: '/ui/runs/:id' }];
      const name = (path) => {
        const m = matchRoute(routes, path);
        return m ? { path: m.route.path, params: m.params } : null;
      };
      return {
        list: name('/ui/tasks/'),
        task: name('/ui/tasks/3f1c9a4e-0000-4000-8000-000000000001'),
        encoded: name('/ui/runs/a%20b'),
        none: name('/ui/tasks/1/logs'),
        query: query({ status: 'failed', problem_id: '', worker_id: null, created_after: '2026-01-01T00:00:00.000Z', limit: 50 }),
      };`);
    expect(result).toEqual({
      list: { path: '/ui/tasks', params: {} },
      task: { path: '/ui/tasks/:id', params: { id: '3f1c9a4e-0000-4000-8000-000000000001' } },
      encoded: { path: '/ui/runs/:id', params: { id: 'a b' } },
      none: null,
      query: '?status=failed&created_after=2026-01-01T00%3A00%3A00.000Z&limit=50',
    });
  });

  it('writes every time with its date, and intervals and task answers as the results table does', async () => {
    const result = await inBrowser(`
      const { formatTime } = await import('/ui/js/lib/format.js');
      const { formatInterval } = await import('/ui/js/views/run-results-table.js');
      const { taskOutcome } = await import('/ui/js/lib/task-outcome.js');
      const noon = new Date(2026, 0, 5, 12, 3, 4).toISOString();
      const done = { status: 'completed' };
      return {
        times: [formatTime(noon), formatTime(new Date().toISOString()).length, formatTime(null)],
        intervals: [formatInterval([0.621, 0.974]), formatInterval({ low: 0, high: 0.5, method: 'bootstrap' }), formatInterval(null)],
        answers: [
          taskOutcome(done, 'detection', { 'Detection Accuracy': 'Correct' }),
          taskOutcome(done, 'detection', { 'Detection Accuracy': 'Incorrect', success: true }),
          taskOutcome(done, 'localization', { success: true }),
          taskOutcome(done, 'mitigation', null),
          taskOutcome(done, 'mitigation', undefined),
          taskOutcome({ status: 'timed_out' }, 'analysis', undefined),
          taskOutcome({ status: 'cancelled' }, 'analysis', undefined),
          taskOutcome({ status: 'pending' }, 'analysis', undefined),
          taskOutcome({ status: 'completed', solved: false, outcome_class: 'infra_error' }, 'analysis', undefined),
          taskOutcome({ status: 'completed', solved: true }, 'analysis', undefined),
        ].map((o) => o && o.key),
      };`);
    expect(result).toEqual({
      times: ['2026-01-05 12:03:04', 19, ''],
      intervals: ['[62.1 %, 97.4 %]', '[0.0 %, 50.0 %]', ''],
      answers: ['correct', 'incorrect', 'correct', 'incorrect', null, 'incorrect', 'not_scored', null, 'infra_error', 'correct'],
    });
  });

  it('formats durations as a person reads them', async () => {
    const result = await inBrowser(`
      const { formatDuration } = await import('/ui/js/lib/format.js');
      return [450, 4200, 75000, 3 * 3600000 + 60000, 50 * 3600000, null].map(formatDuration);`);
    expect(result).toEqual(['450 ms', '4.2 s', '1 min 15 s', '3 h 1 min', '2 d 2 h', '']);
  });

  it('writes rates with their standard error, shortens long pass^k lists, and picks the bars of a task type', async () => {
    const result = await inBrowser(`
      const { rateWithError, passHatK } = await import('/ui/js/views/run-results-table.js');
      const { chartBars } = await import('/ui/js/views/run-chart.js');
      const many = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [String(i + 1), i < 20 ? 1 / (i + 1) : null]));
      const rows = [
        { agent_label: 'a', task_type: 'detection', success_rate: 0.5, success_rate_stderr: 0.25 },
        { agent_label: 'a', task_type: 'all', success_rate: 0.75, success_rate_stderr: null },
        { agent_label: 'b', task_type: 'all', success_rate: null, success_rate_stderr: null },
      ];
      return {
        rates: [rateWithError(0.8333, 0.0833), rateWithError(1, null), rateWithError(null, null)],
        short: passHatK({ 1: 0.5, 2: 0.25, 3: null }),
        long: passHatK(many),
        bars: chartBars(rows, 'all'),
      };`);
    expect(result).toEqual({
      rates: ['83.3 % ± 8.3', '100.0 %', '—'],
      short: 'k=1: 0.5 · k=2: 0.25',
      long: 'k=1: 1 · k=2: 0.5 … k=20: 0.05',
      bars: [{ label: 'a', rate: 0.75, stderr: null }, { label: 'b', rate: null, stderr: null }],
    });
  });

  it('draws the chart with uPlot: one bar per agent, and whiskers only where there is a standard error', async () => {
    const inkPixels = (stderr: string) =>
      inBrowser<number>(`
        const { render } = await import('preact');
        const { html } = await import('/ui/js/lib/html.js');
        const { RunChart } = await import('/ui/js/views/run-chart.js');
        const box = document.createElement('div');
        box.style.width = '600px';
        document.body.append(box);
        const rows = [0.5, 0.8].map((rate, i) => ({ agent_label: 'agent-' + i, task_type: 'all', success_rate: rate, success_rate_stderr: ${stderr} }));
        render(html\`<\${RunChart} rows=\${rows} />\`, box);
        while (!box.querySelector('canvas')) await new Promise((r) => requestAnimationFrame(r));
        await new Promise((r) => requestAnimationFrame(r));
        const canvas = box.querySelector('canvas');
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        let ink = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] === 0x1d && data[i + 1] === 0x23 && data[i + 2] === 0x30) ink++;
        const captions = [...box.querySelectorAll('.chart-value')].map((el) => el.textContent);
        render(null, box);
        box.remove();
        return { ink, captions };`);
    const plain = (await inkPixels('null')) as unknown as { ink: number; captions: string[] };
    const whiskered = (await inkPixels('0.15')) as unknown as { ink: number; captions: string[] };
    expect(plain.captions).toEqual(['agent-0 50.0 %', 'agent-1 80.0 %']);
    expect(whiskered.captions).toEqual(['agent-0 50.0 % ± 15.0', 'agent-1 80.0 % ± 15.0']);
    expect(whiskered.ink - plain.ink).toBeGreaterThan(50); // two whiskers with caps; the labels are the same text
  });

  it('loaded with no console error', () => {
    expect(problems).toEqual([]);
  });
});
