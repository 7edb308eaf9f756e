import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createValidators } from '../../services/api/src/http/validators';
import { ROOT } from './support/compose';

/**
 * scripts/submit-demo.js and scripts/tail-task.js against a stand-in API that records what they
 * send (the real API runs them in start-local.test.ts): request shapes, auth, the SSE stream with
 * a dropped connection resumed by Last-Event-ID, and exit codes.
 */
type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

async function withServer(handler: Handler, run: (url: string, requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[]) => Promise<void>) {
  const requests: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

function runScript(script: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts', script), ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const TASK_ID = '0b7c1f0e-8a51-4d0f-9d3e-2a4c5b6d7e8f';
const json = (res: http.ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
const logLine = (seq: number) => ({ seq, attempt: 1, ts: `2026-11-23T00:00:0${seq}.000Z`, stream: 'stdout', level: 'info', message: `line ${seq}` });

describe('scripts/submit-demo.js', () => {
  test('posts one batch that the API accepts, with the bearer token, and prints one task id per line', async () => {
    const validators = createValidators(240);
    await withServer(
      (req, res, body) => {
        if (req.method === 'POST' && req.url === '/tasks/batch') {
          const { tasks } = validators.batch(JSON.parse(body)); // the API's own validation
          json(res, 201, { tasks: tasks.map((_, i) => ({ task_id: `id-${i}`, status: 'pending', submitted_at: new Date().toISOString() })) });
        } else json(res, 404, {});
      },
      async (url, requests) => {
        const result = await runScript('submit-demo.js', ['--count', '3', '--problem', 'a-1', '--problem', 'b-2', '--priority', '7'], { API_URL: url, API_TOKEN: 'secret-token-0123456789' });
        expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('3 task(s) submitted') });
        expect(result.stdout.trim().split('\n')).toEqual(['id-0', 'id-1', 'id-2']);
        expect(requests).toHaveLength(1);
        expect(requests[0].headers.authorization).toBe('Bearer secret-token-0123456789');
        const body = JSON.parse(requests[0].body);
        expect(body.tasks.map((t: { problem_id: string }) => t.problem_id)).toEqual(['a-1', 'b-2', 'a-1']);
        expect(body.tasks[0]).toEqual(expect.objectContaining({ priority: 7, agent_config: { kind: 'scripted', actions: expect.any(Array) } }));
      },
    );
  });

  test('reports an API error with its status and exits 1; bad options exit 2', async () => {
    await withServer(
      (_req, res) => json(res, 401, { title: 'unauthorized' }),
      async (url) => {
        const result = await runScript('submit-demo.js', ['--api', url]);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain('answered 401');
      },
    );
    expect((await runScript('submit-demo.js', ['--count', 'many'])).code).toBe(2);
    expect((await runScript('submit-demo.js', ['--agent', '{not json'])).code).toBe(2);
  });
});

describe('scripts/tail-task.js', () => {
  test('streams the logs, resumes after a dropped connection without repeating lines, and exits by the final status', async () => {
    let logConnections = 0;
    const lastEventIds: (string | undefined)[] = [];
    for (const [finalStatus, expectedCode] of [['completed', 0], ['failed', 1]] as const) {
      logConnections = 0;
      lastEventIds.length = 0;
      await withServer(
        (req, res) => {
          if (req.url === `/tasks/${TASK_ID}`) {
            const status = logConnections >= 2 ? finalStatus : 'processing';
            return json(res, 200, { task_id: TASK_ID, problem_id: 'p-1', status, attempt: 1, worker_id: 'worker-a', error: status === 'failed' ? { kind: 'runner_error', message: 'boom' } : null, result: status === 'completed' ? { ok: true } : null, status_history: [{ occurred_at: '2026-11-23T00:00:00Z', from_status: 'pending', to_status: 'processing', notes: null }] });
          }
          if (req.url === `/tasks/${TASK_ID}/logs?follow=true`) {
            logConnections += 1;
            lastEventIds.push(req.headers['last-event-id'] as string | undefined);
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            if (logConnections === 1) {
              res.write(`id: 1\nevent: log\ndata: ${JSON.stringify(logLine(1))}\n\n: keepalive\n\n`);
              res.write(`id: 2\nevent: log\ndata: ${JSON.stringify(logLine(2))}\n\n`);
              setTimeout(() => res.destroy(), 50); // the connection drops mid-task
            } else {
              res.write(`id: 3\nevent: log\ndata: ${JSON.stringify(logLine(3))}\n\n`);
              res.end(`event: end\ndata: ${JSON.stringify({ status: finalStatus, last_seq: 3 })}\n\n`);
            }
            return;
          }
          json(res, 404, {});
        },
        async (url) => {
          const result = await runScript('tail-task.js', [TASK_ID, '--api', url]);
          expect({ finalStatus, code: result.code }).toEqual({ finalStatus, code: expectedCode });
          expect(result.stdout.trim().split('\n').map((l) => l.replace(/^.*\] /, ''))).toEqual(['line 1', 'line 2', 'line 3']);
          expect(lastEventIds).toEqual([undefined, '2']);
          expect(result.stderr).toContain(`${TASK_ID} ${finalStatus}`);
          expect(result.stderr).toContain('pending -> processing');
          if (finalStatus === 'failed') expect(result.stderr).toContain('boom');
        },
      );
    }
  }, 30_000);

  test('a missing task or argument fails clearly', async () => {
    await withServer(
      (_req, res) => json(res, 404, { title: 'not found' }),
      async (url) => {
        const result = await runScript('tail-task.js', [TASK_ID, '--api', url]);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain('404');
      },
    );
    expect((await runScript('tail-task.js', [])).code).toBe(2);
  });
});

describe('where the client scripts and the README examples find the api (issue 12, item 6)', () => {
  const portOf = (url: string) => new URL(url).port;

  test('without --api or API_URL, both scripts follow PORT, as the api itself does', async () => {
    const validators = createValidators(240);
    await withServer(
      (req, res, body) => {
        if (req.method === 'POST' && req.url === '/tasks/batch') {
          const { tasks } = validators.batch(JSON.parse(body));
          return json(res, 201, { tasks: tasks.map((_, i) => ({ task_id: `id-${i}`, status: 'pending', submitted_at: new Date().toISOString() })) });
        }
        if (req.url === `/tasks/${TASK_ID}`) return json(res, 200, { task_id: TASK_ID, problem_id: 'p-1', status: 'completed', attempt: 1, worker_id: 'w', error: null, result: {}, status_history: [] });
        if (req.url === `/tasks/${TASK_ID}/logs?follow=true`) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          return res.end(`event: end\ndata: ${JSON.stringify({ status: 'completed', last_seq: 0 })}\n\n`);
        }
        json(res, 404, {});
      },
      async (url, requests) => {
        const submitted = await runScript('submit-demo.js', ['--count', '1'], { PORT: portOf(url) });
        expect({ code: submitted.code, stderr: submitted.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('1 task(s) submitted') });
        const tailed = await runScript('tail-task.js', [TASK_ID], { PORT: portOf(url) });
        expect({ code: tailed.code, stderr: tailed.stderr }).toEqual({ code: 0, stderr: expect.stringContaining(`${TASK_ID} completed`) });
        expect(requests.map((r) => r.url)).toEqual(expect.arrayContaining(['/tasks/batch', `/tasks/${TASK_ID}`]));
      },
    );
  });

  test('the README examples address the api through $API_URL, and say how it follows PORT', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const commands = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n')).filter((line) => /\b(curl|open)\b/.test(line) && !/15672/.test(line));
    expect(commands.length).toBeGreaterThan(0);
    expect(commands.filter((line) => /localhost:8001|127\.0\.0\.1:8001/.test(line))).toEqual([]);
    expect(commands.every((line) => line.includes('$API_URL'))).toBe(true);
    expect(readme).toContain('export API_URL=http://localhost:${PORT:-8001}');
  });
});
