import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { EXIT_CONFIG as SHARED_EXIT_CONFIG } from '../../shared/src/lifecycle/exit-codes';
import { ROOT } from './support/compose';

/**
 * The supervisor behind `npm start` (scripts/local-supervisor.js) with stand-in services
 * (fixtures/supervised: one behaviour each) instead of the real ones.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Supervisor, EXIT_CONFIG } = require('../../scripts/local-supervisor.js') as {
  Supervisor: new (options: Record<string, unknown>) => { start(name: string, env: NodeJS.ProcessEnv): void; stop(): Promise<void>; children: Map<string, ChildProcess> };
  EXIT_CONFIG: number;
};

const FIXTURES = path.join(__dirname, 'fixtures', 'supervised');

type Behaviour = 'runs' | 'refuses-config' | 'crashes';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A supervisor running stand-ins; its output as lines (`name | text`), its exit as a promise. */
function supervise(services: Record<string, Behaviour>) {
  const lines: string[] = [];
  const pids: Record<string, number> = {};
  let exited: (code: number) => void = () => undefined;
  const exit = new Promise<number>((resolve) => (exited = resolve));
  const supervisor = new Supervisor({
    root: ROOT,
    say: (name: string, message: string) => lines.push(`${name} | ${message}`),
    pipe: (name: string, child: ChildProcess) => {
      pids[name] = child.pid!;
      for (const stream of [child.stdout!, child.stderr!]) {
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => lines.push(...chunk.trimEnd().split('\n').map((line) => `${name} | ${line}`)));
      }
    },
    args: (name: string) => [path.join(FIXTURES, `${services[name]}.js`)],
    workerHealthUrl: null,
    workerDeadlineSeconds: 5,
    exit: (code: number) => exited(code),
  });
  for (const name of Object.keys(services)) supervisor.start(name, { PATH: process.env.PATH });
  return { supervisor, lines, pids, exit };
}

const within = <T>(ms: number, promise: Promise<T>) =>
  Promise.race([promise, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref())]);

describe('the npm start supervisor (scripts/local-supervisor.js)', () => {
  let running: ReturnType<typeof supervise> | null = null;

  afterEach(() => {
    for (const pid of Object.values(running?.pids ?? {})) if (alive(pid)) process.kill(pid, 'SIGKILL');
    running = null;
  });

  test('uses the exit code of shared/src/lifecycle/exit-codes.ts for a configuration error (78)', () => {
    expect(EXIT_CONFIG).toBe(SHARED_EXIT_CONFIG);
    expect(EXIT_CONFIG).toBe(78);
  });

  test('when a service exits 78, the others are stopped, nothing restarts, its error is printed once and the supervisor exits 78', async () => {
    running = supervise({ api: 'refuses-config', worker: 'runs', history: 'runs' });
    const { lines, pids } = running;
    expect(await within(15_000, running.exit)).toBe(78);

    const error = lines.filter((line) => line.includes('API_TOKEN must NOT have fewer than 16 characters'));
    expect(error).toEqual(['api |   - API_TOKEN must NOT have fewer than 16 characters (stand-in)']);
    const verdict = lines.findIndex((line) => line.startsWith('start-local | api refused its configuration (exit code 78, message above): not restarting it; stopping '));
    expect(verdict).toBeGreaterThan(lines.indexOf(error[0]));
    expect(lines[verdict]).toMatch(/stopping (worker, history|history, worker)\. Fix the setting and run npm start again\.$/);

    expect(lines.filter((line) => /api started/.test(line))).toHaveLength(1);
    expect(lines.filter((line) => /restarting it in|stopped unexpectedly/.test(line))).toEqual([]);
    for (const name of ['worker', 'history']) expect(lines.some((line) => line.startsWith(`start-local | ${name} exited (`))).toBe(true);
    expect(Object.values(pids).filter(alive)).toEqual([]);
  });

  test('when every service refuses the same setting, the supervisor still ends once, with 78', async () => {
    running = supervise({ api: 'refuses-config', worker: 'refuses-config', history: 'refuses-config' });
    expect(await within(15_000, running.exit)).toBe(78);
    expect(running.lines.filter((line) => /restarting it in|stopped unexpectedly/.test(line))).toEqual([]);
    expect(running.lines.filter((line) => line.includes(' refused its configuration '))).toHaveLength(1);
  });

  test('a service that fails for another reason (exit 1) is still restarted, with backoff', async () => {
    running = supervise({ history: 'crashes', api: 'runs' });
    const { lines, supervisor } = running;
    for (let waited = 0; !lines.some((line) => line.includes('history stopped unexpectedly')) && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(lines).toContain("start-local | history stopped unexpectedly; restarting it in 1 s (failure 1 in a row; the others keep running, as under compose's restart: unless-stopped). Ctrl-C stops everything.");
    expect(supervisor.children.has('api')).toBe(true);
    // Stop while history waits for its restart: a slow machine may have restarted it already, and a
    // crash during the stop is an exit code 1, rightly.
    for (let waited = 0; supervisor.children.has('history') && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    void supervisor.stop();
    expect(await within(15_000, running.exit)).toBe(0);
  });
});
