import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { Registry } from 'prom-client';

export interface HealthReport {
  /** Anything but ok answers 503: degraded (database or queue down), unhealthy (broken environment). */
  status: 'ok' | 'degraded' | 'unhealthy';
  [field: string]: unknown;
}

/**
 * GET /health (database and queue reported separately; 503 when either is down or the worker's
 * environment is broken) and
 * GET /metrics (Prometheus). Nothing else: the worker has no API of its own.
 */
export class HealthServer {
  private server: http.Server | null = null;

  constructor(
    private readonly report: () => Promise<HealthReport>,
    private readonly registry: Registry,
    private readonly logger: Logger,
  ) {}

  async listen(host: string, port: number): Promise<number> {
    const server = http.createServer((req, res) => void this.route(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === '/health') {
        const report = await this.report();
        this.send(res, report.status === 'ok' ? 200 : 503, 'application/json', JSON.stringify(report));
      } else if (req.method === 'GET' && path === '/metrics') {
        this.send(res, 200, this.registry.contentType, await this.registry.metrics());
      } else {
        this.send(res, 404, 'application/problem+json', JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'the worker serves GET /health and GET /metrics only' }));
      }
    } catch (error) {
      this.logger.error('health request failed', { error: (error as Error).message });
      this.send(res, 500, 'application/problem+json', JSON.stringify({ type: 'about:blank', title: 'Internal Server Error', status: 500 }));
    }
  }

  private send(res: http.ServerResponse, status: number, contentType: string, body: string): void {
    res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
    res.end(body);
  }
}
