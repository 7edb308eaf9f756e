import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitUntil } from '../../../tests/support/amqp-helpers';
import { createTestEnv, type TestEnv } from '../../../tests/support/test-env';
import { createPrismaClient, type Db } from '../../../shared/src/db/prisma-client';
import { listProblems, replaceProblems, DEFAULT_PROBLEMS, DEFAULT_UNSUPPORTED } from '../../../shared/src/catalog/problem-catalog';
import defaultCatalog from '../../../shared/src/catalog/default-problems.json';
import { listProblemsFromRunner, refreshProblemCatalog, parseProblemsOutput } from '../src/maintenance/refresh-problem-catalog';
import { memoryLogger } from './fixtures/cluster-standins/test-kit';

/** The worker-side catalog refresh against real PostgreSQL and a stand-in runner. */
const runner = `'${process.execPath}' '${path.join(__dirname, 'fixtures', 'cluster-standins', 'list-problems-runner.js')}'`;
let testEnv: TestEnv;
let db: Db;

beforeAll(async () => {
  testEnv = await createTestEnv();
  db = createPrismaClient(testEnv.databaseUrl, 2);
});

afterAll(async () => {
  await db.$disconnect();
  await testEnv.drop();
});

beforeEach(async () => {
  await db.problem.deleteMany({});
});

function refresh(mode: string, timeoutMs = 20_000, env: Record<string, string> = {}) {
  const { logger, lines } = memoryLogger();
  const outcome = refreshProblemCatalog({ db, logger, runnerCommand: runner, env: { PATH: process.env.PATH, STANDIN_LIST_MODE: mode, ...env }, timeoutMs });
  return { outcome, lines };
}

/** 'gone', 'zombie' (dead, its orphan not reaped yet) or 'running'. */
function processState(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').startsWith('Z') ? 'zombie' : 'running';
  } catch {
    return 'gone';
  }
}

describe('problem catalog refresh', () => {
  test('the checked-in default is the full AIOpsLab registry: 89 ids, 34/28/13/14, the two Flower ones apart', () => {
    const all = [...DEFAULT_PROBLEMS, ...DEFAULT_UNSUPPORTED];
    expect(all).toHaveLength(89);
    const counts: Record<string, number> = {};
    for (const p of all) counts[p.task_type] = (counts[p.task_type] ?? 0) + 1;
    expect(counts).toEqual({ detection: 34, localization: 28, analysis: 13, mitigation: 14 });
    expect(new Set(all.map((p) => p.id)).size).toBe(89);
    expect(defaultCatalog.source).toContain('ddf7e40619689dad75eaf8f2174e263c4157ec76');
    expect(DEFAULT_PROBLEMS.map((p) => p.id)).toEqual(expect.arrayContaining(['container_kill-detection', 'noop_detection_hotel_reservation-1', 'revoke_auth_mongodb-analysis-2']));
    expect(DEFAULT_UNSUPPORTED.map((p) => p.id).sort()).toEqual(['flower_model_misconfig-detection', 'flower_node_stop-detection']);
    expect(DEFAULT_UNSUPPORTED.every((p) => p.reason.includes('docker compose'))).toBe(true);
  });

  test("the runner's list (from fd 3, not stdout) replaces the catalog, with its source", async () => {
    const { outcome, lines } = refresh('ok');
    await expect(outcome).resolves.toEqual({ refreshed: true, count: 4, unsupported: 0, source: 'stand-in registry@abc123' });
    const { problems, source } = await listProblems(db);
    expect(source).toBe('stand-in registry@abc123');
    expect(problems).toEqual([
      { id: 'astronomy_shop_kafka_queue_problems-mitigation-1', task_type: 'mitigation' },
      { id: 'container_kill-localization', task_type: 'localization' },
      { id: 'k8s_target_port-misconfig-detection-1', task_type: 'detection' },
      { id: 'revoke_auth_mongodb-analysis-2', task_type: 'analysis' },
    ]);
    expect(lines.find((l) => l.message === 'problem catalog refreshed from the runner')).toMatchObject({ count: 4, by_task_type: { detection: 1, localization: 1, analysis: 1, mitigation: 1 } });
  });

  test.each([
    ['crashes before listing', 'crash', /no problems line.*exit 3.*No module named aiopslab/],
    ['writes garbage on fd 3', 'garbage', /no problems line/],
    ['writes its list on stdout only', 'stdout-only', /no problems line/],
    ['lists no problems', 'empty', /invalid problems line: \/problems/],
    ['lists an unknown task type', 'bad-type', /invalid problems line: \/problems\/0\/task_type/],
    ['lists an id twice', 'duplicate', /appears twice/],
  ])('when the runner %s, the failure is logged and the current catalog stays', async (_scenario, mode, reason) => {
    await refresh('ok').outcome;
    const { outcome, lines } = refresh(mode);
    const result = await outcome;
    expect(result).toEqual({ refreshed: false, reason: expect.stringMatching(reason) });
    expect(lines.find((l) => l.message === 'problem catalog refresh failed; keeping the current catalog')?.reason).toMatch(reason);
    expect((await listProblems(db)).problems).toHaveLength(4);
  });

  test('a runner that hangs is killed at the timeout and nothing changes', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hang-'));
    const pidFile = path.join(dir, 'pid');
    const { outcome, lines } = refresh('hang', 1500, { STANDIN_PID_FILE: pidFile });
    const result = await outcome; // the hanging stand-in never exits by itself: only the kill settles this
    expect(result).toEqual({ refreshed: false, reason: 'the runner did not list its problems within 1500 ms' });
    expect(lines.find((l) => l.message === 'problem catalog refresh failed; keeping the current catalog')?.reason).toBe('the runner did not list its problems within 1500 ms');
    // No pid file: the kill came before it got as far as hanging (a slow start); it is dead just the same.
    // SIGKILL is delivered asynchronously: wait for the process to go, then check that it went.
    const state = () => (existsSync(pidFile) ? processState(Number(readFileSync(pidFile, 'utf8'))) : 'killed before it hung');
    await waitUntil(() => state() !== 'running', 10_000, 'the hung runner to be dead').catch(() => undefined);
    expect(['gone', 'zombie', 'killed before it hung']).toContain(state());
    rmSync(dir, { recursive: true, force: true });
    expect((await listProblems(db)).source).toBe('default');
  });

  test('aborting (the worker shuts down during its preflight) kills a runner that hangs', async () => {
    const { logger } = memoryLogger();
    const shutdown = new AbortController();
    const listing = listProblemsFromRunner({ logger, runnerCommand: runner, env: { PATH: process.env.PATH, STANDIN_LIST_MODE: 'hang' }, timeoutMs: 600_000, signal: shutdown.signal });
    shutdown.abort();
    await expect(listing).rejects.toThrow(/no problems line on the protocol fd \(exit SIGKILL/);
  });

  test('a command that does not exist is a logged failure, not a crash', async () => {
    const { logger } = memoryLogger();
    const result = await refreshProblemCatalog({ db, logger, runnerCommand: '/nonexistent/aiopslab-runner', env: { PATH: process.env.PATH }, timeoutMs: 5000 });
    expect(result).toMatchObject({ refreshed: false, reason: expect.stringMatching(/no problems line.*exit 127/) });
  });

  test('parseProblemsOutput skips log lines and takes the problems line', () => {
    const output = ['{"type":"log","level":"info","message":"x"}', 'noise', '{"type":"problems","problems":[{"id":"a-1","task_type":"detection"}]}', ''].join('\n');
    expect(parseProblemsOutput(output)).toEqual({ problems: [{ id: 'a-1', task_type: 'detection' }], unsupported: [], source: 'runner --list-problems' });
  });

  test('problems the runner lists as unsupported are kept apart with their reason', async () => {
    const line = { type: 'problems', source: 'r', problems: [{ id: 'a-1', task_type: 'detection' }], unsupported: [{ id: 'f-1', task_type: 'detection', reason: 'needs Docker on the host' }] };
    const listed = parseProblemsOutput(JSON.stringify(line));
    expect(listed.unsupported).toEqual([{ id: 'f-1', task_type: 'detection', reason: 'needs Docker on the host' }]);
    await replaceProblems(db, listed.problems, listed.source, listed.unsupported);
    expect(await listProblems(db)).toEqual({ problems: [{ id: 'a-1', task_type: 'detection' }], unsupported: listed.unsupported, source: 'r' });
    expect(() => parseProblemsOutput(JSON.stringify({ ...line, unsupported: [{ id: 'a-1', task_type: 'detection', reason: 'x' }] }))).toThrow(/a-1 appears twice/);
  });
});
