import net from 'node:net';
import { Registry } from 'prom-client';
import { createLogger } from '../logging/logger';
import { createHealthServer, dependencyHealth, HealthReport } from './health-server';

const logger = createLogger('health-server-test', 'error', true);

describe('createHealthServer', () => {
  let report: HealthReport = { status: 'ok', service: 'probe', database_status: 'up', queue_status: 'up' };
  const server = createHealthServer('probe', async () => report, new Registry(), logger);
  let base: string;

  beforeAll(async () => {
    base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
  });
  afterAll(() => server.close());

  it('answers /health with the report: 200 when ok, 503 when degraded or unhealthy', async () => {
    expect((await fetch(`${base}/health`)).status).toBe(200);
    report = { ...report, status: dependencyHealth('down', 'up'), database_status: 'down' };
    const degraded = await fetch(`${base}/health`);
    expect({ status: degraded.status, body: await degraded.json() }).toEqual({ status: 503, body: { status: 'degraded', service: 'probe', database_status: 'down', queue_status: 'up' } });
    report = { ...report, status: 'unhealthy' };
    expect((await fetch(`${base}/health`)).status).toBe(503);
  });

  it('serves /metrics as Prometheus text, and anything else as a problem+json 404 or 405', async () => {
    expect((await fetch(`${base}/metrics`)).headers.get('content-type')).toMatch(/^text\/plain/);
    const missing = await fetch(`${base}/nope`);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(await missing.json()).toEqual({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'no route /nope; the probe serves GET /health and GET /metrics only' });
    expect((await fetch(`${base}/health`, { method: 'POST' })).status).toBe(405);
  });

  it('refuses a taken port with an error that names HEALTH_PORT', async () => {
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as net.AddressInfo).port;
    const other = createHealthServer('probe', async () => report, new Registry(), logger);
    await expect(other.listen(port, '127.0.0.1')).rejects.toThrow(/probe health server cannot listen on 127\.0\.0\.1:\d+: the address is already in use .* set HEALTH_PORT to a free port/);
    await other.close();
    await new Promise((resolve) => holder.close(resolve));
  });
});
