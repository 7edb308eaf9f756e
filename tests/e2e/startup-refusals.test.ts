import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runServiceToExit } from '../support/run-to-exit';
import { freePort, ServiceProcess } from '../support/service-process';
import { createTestEnv, TestEnv } from '../support/test-env';

/**
 * Services that cannot do their job refuse to start, loudly: a taken port (issue 12, item 1) and
 * a WORKER_ID already held by a live worker (item 4). Every service is a real process.
 */
const WORKER_BASE = { CLUSTER_PROVIDER: 'none', RUNNER_COMMAND: '/bin/true', REFRESH_PROBLEMS_AT_START: 'false', RUNNER_PREFLIGHT: 'false', HEALTH_HOST: '127.0.0.1' };

let env: TestEnv;
let workDir: string;
const started: ServiceProcess[] = [];

beforeAll(async () => {
  env = await createTestEnv();
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'startup-refusals-'));
});

afterAll(async () => {
  for (const service of started) await service.kill();
  fs.rmSync(workDir, { recursive: true, force: true });
  await env.drop();
});

describe('a port held by another process', () => {
  let holder: net.Server;
  let port: number;

  beforeAll(async () => {
    holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    port = (holder.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => holder.close(resolve)));

  test.each([
    ['api', { PORT: '', HOST: '127.0.0.1' }, 'PORT'],
    ['worker', { ...WORKER_BASE, WORKER_ID: 'port-taken', HEALTH_PORT: '' }, 'HEALTH_PORT'],
    ['history', { HEALTH_PORT: '', HEALTH_HOST: '127.0.0.1' }, 'HEALTH_PORT'],
  ] as const)('%s exits non-zero naming the address and the variable', async (service, extra, variable) => {
    const exit = await runServiceToExit(service, { ...env.env, WORK_DIR: workDir, ...extra, [variable]: String(port) });
    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 1, signal: null });
    expect(exit.output).toContain(`cannot listen on 127.0.0.1:${port}: the address is already in use`);
    expect(exit.output).toContain(`set ${variable} to a free port`);
  });
});

describe('two workers with one WORKER_ID', () => {
  const workerEnv = async (id: string) => ({ ...env.env, ...WORKER_BASE, WORKER_ID: id, WORK_DIR: workDir, HEALTH_PORT: String(await freePort()), HEARTBEAT_INTERVAL_SECONDS: '0.5', WORKER_STALE_SECONDS: '5' });

  async function startWorker(id: string): Promise<ServiceProcess> {
    const vars = await workerEnv(id);
    const worker = new ServiceProcess(`worker ${id}`, 'worker', vars, `http://127.0.0.1:${vars.HEALTH_PORT}/health`, path.join(workDir, `${id}-${started.length}.log`));
    started.push(worker);
    await worker.start();
    return worker;
  }

  test('the second refuses to start while the first is live, and names it', async () => {
    const first = await startWorker('twin');
    const second = await runServiceToExit('worker', await workerEnv('twin'));
    expect({ code: second.code, signal: second.signal }).toEqual({ code: 1, signal: null });
    expect(second.output).toContain(`WORKER_ID twin is held by a running worker (on host ${os.hostname()}, last heartbeat `);
    expect(second.output).toContain('Give this worker another WORKER_ID');
    expect(first.isRunning()).toBe(true);
  });

  test('a worker killed with SIGKILL and started again takes its id back at once', async () => {
    const first = await startWorker('phoenix');
    await first.kill();
    const again = await startWorker('phoenix'); // its old row still shows a fresh heartbeat
    expect(again.isRunning()).toBe(true);
  });
});
