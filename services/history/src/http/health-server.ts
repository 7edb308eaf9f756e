import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '@aiopslab/shared/logging/logger';

export interface HealthChecks {
  /** Resolves true when the database answers. */
  database(): Promise<boolean>;
  /** True while events are being consumed. */
  queue(): boolean;
}

export interface HealthServer {
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 2000;

/** `/health` (200 when database and queue are up, else 503) and `/metrics` (Prometheus text). */
export function createHealthServer(checks: HealthChecks, registry: Registry, logger: Logger): HealthServer {
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, { error: 'only GET' });
    if (path === '/health') return void health(checks).then((body) => send(response, body.status === 'ok' ? 200 : 503, body));
    if (path === '/metrics') {
      return void registry.metrics().then(
        (text) => send(response, 200, text, registry.contentType),
        (error) => {
          logger.error('metrics collection failed', { error: (error as Error).message });
          send(response, 500, { error: 'metrics collection failed' });
        },
      );
    }
    send(response, 404, { error: `no route ${path}; try /health or /metrics` });
  });
  server.keepAliveTimeout = 5000;
  return {
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function health(checks: HealthChecks) {
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), CHECK_TIMEOUT_MS).unref());
  const database = await Promise.race([checks.database().catch(() => false), timeout]);
  const queue = checks.queue();
  return {
    status: database && queue ? 'ok' : 'unavailable',
    service: 'history',
    database_status: database ? 'up' : 'down',
    queue_status: queue ? 'up' : 'down',
  };
}

function send(response: http.ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  response.end(text);
}
