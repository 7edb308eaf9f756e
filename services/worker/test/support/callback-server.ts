import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCallback {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

/** A loopback HTTP server that records callbacks and answers each path with scripted statuses. */
export class CallbackServer {
  readonly received: ReceivedCallback[] = [];
  private readonly scripts = new Map<string, (number | 'hang' | { redirect: string })[]>();
  private server: http.Server | null = null;
  port = 0;

  /** Answers for successive requests to `path` (the last one repeats); default 200. */
  script(path: string, answers: (number | 'hang' | { redirect: string })[]): string {
    this.scripts.set(path, answers);
    return this.url(path);
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  on(path: string): ReceivedCallback[] {
    return this.received.filter((r) => r.path === path);
  }

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        const text = Buffer.concat(chunks).toString('utf8');
        this.received.push({ path, headers: req.headers, body: text ? JSON.parse(text) : null });
        const answers = this.scripts.get(path) ?? [200];
        const answer = answers.length > 1 ? answers.shift()! : answers[0];
        if (answer === 'hang') return;
        if (typeof answer === 'object') {
          res.writeHead(302, { location: answer.redirect }).end();
          return;
        }
        res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
