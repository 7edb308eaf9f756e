import { pingDatabase, SqlClient } from '../db/sql';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { ListenError } from '../lifecycle/listen-error';
import type { Logger } from '../logging/logger';

/**
 * The status words of every service's /health. `ok` answers 200; `degraded` (a dependency, the
 * database or the broker, is down) and `unhealthy` (the service's own environment is broken)
 * answer 503.
 */
export type HealthStatus = 'ok' | 'degraded' | 'unhealthy';
export type DependencyStatus = 'up' | 'down';

/** The report shape: the service, its status, database and queue reported separately, then extras. */
export interface HealthReport {
  status: HealthStatus;
  service: string;
  database_status: DependencyStatus;
  queue_status: DependencyStatus;
  [field: string]: unknown;
}

export interface HealthServer {
  /** Listens (port 0 picks a free one) and returns the port; a bind failure is a ListenError naming HEALTH_PORT. */
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 2000;

/** `up` when the database answers SELECT 1 within two seconds. */
export async function probeDatabase(db: Pick<SqlClient, '$queryRaw'>): Promise<DependencyStatus> {
  const timeout = new Promise<'down'>((resolve) => setTimeout(() => resolve('down'), CHECK_TIMEOUT_MS).unref());
  return Promise.race([pingDatabase(db).then(() => 'up' as const, () => 'down' as const), timeout]);
}

/** ok when both dependencies are up, else degraded. */
export function dependencyHealth(database: DependencyStatus, queue: DependencyStatus): HealthStatus {
  return database === 'up' && queue === 'up' ? 'ok' : 'degraded';
}

/**
 * The one health server of the services without an HTTP API of their own (worker, history):
 * GET|HEAD /health (the report; 200 when ok, else 503) and /metrics (Prometheus text).
 * Anything else is a problem+json 404 (or 405 for another method).
 */
export function createHealthServer(service: string, report: () => Promise<HealthReport>, registry: Registry, logger: Logger): HealthServer {
  const server = http.createServer((request, response) => void route(request, response));
  server.keepAliveTimeout = 5000;

  async function route(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    try {
      if (request.method !== 'GET' && request.method !== 'HEAD') return problem(response, 405, 'Method Not Allowed', `the ${service} serves GET /health and GET /metrics only`);
      if (path === '/health') {
        const body = await report();
        return send(response, body.status === 'ok' ? 200 : 503, 'application/json', JSON.stringify(body));
      }
      if (path === '/metrics') return send(response, 200, registry.contentType, await registry.metrics());
      problem(response, 404, 'Not Found', `no route ${path}; the ${service} serves GET /health and GET /metrics only`);
    } catch (error) {
      logger.error('health request failed', { path, error: (error as Error).message });
      problem(response, 500, 'Internal Server Error', `${path} failed; see the ${service} log`);
    }
  }

  return {
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        const onError = (error: unknown) => reject(new ListenError(`${service} health server`, 'HEALTH_PORT', host, port, error));
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function problem(response: http.ServerResponse, status: number, title: string, detail: string): void {
  send(response, status, 'application/problem+json', JSON.stringify({ type: 'about:blank', title, status, detail }));
}

function send(response: http.ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  response.end(body);
}
