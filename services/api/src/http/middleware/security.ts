import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '@aiopslab/shared/errors/app-error';

// The dashboard's files are public (they hold no data); the page asks for the token and sends it
// with each API call it makes.
const PUBLIC_PATHS = [/^\/health$/, /^\/metrics$/, /^\/openapi\.json$/, /^\/docs(\/.*)?$/, /^\/$/, /^\/ui(\/.*)?$/];
const WORKER_PATHS = [/^\/workers\/(register|heartbeat)$/];

/** Headers that suit a JSON API; /docs gets a CSP that lets its own page run (/ui sets its own in dashboard-routes). */
export function secureHeaders(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Content-Security-Policy', req.path.startsWith('/docs') ? "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:" : "default-src 'none'; frame-ancestors 'none'");
  next();
}

function tokenMatches(header: string | undefined, expected: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1].trim());
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/**
 * Optional bearer-token auth: off when API_TOKEN is unset (local use). Worker endpoints take
 * WORKER_TOKEN, so a worker's credential cannot submit or cancel tasks.
 */
export function bearerAuth(apiToken?: string, workerToken?: string) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!apiToken && !workerToken) return next();
    if (PUBLIC_PATHS.some((p) => p.test(req.path))) return next();
    const isWorkerPath = WORKER_PATHS.some((p) => p.test(req.path));
    const expected = isWorkerPath ? (workerToken ?? apiToken) : apiToken;
    if (!expected || tokenMatches(req.get('authorization'), expected)) return next();
    next(new AppError('unauthorized', 401, `send Authorization: Bearer <${isWorkerPath ? 'WORKER_TOKEN' : 'API_TOKEN'}>`));
  };
}

/** A fixed one-minute window per client address; 0 turns it off. */
export function rateLimit(perMinute: number) {
  const windows = new Map<string, { start: number; count: number }>();
  return (req: Request, _res: Response, next: NextFunction): void => {
    // The dashboard's static files are cheap and cached; its API calls count like any other.
    if (perMinute <= 0 || req.path === '/health' || req.path.startsWith('/ui/')) return next();
    const now = Date.now();
    const key = req.ip ?? 'unknown';
    let window = windows.get(key);
    if (!window || now - window.start >= 60_000) {
      if (windows.size > 10_000) windows.clear();
      window = { start: now, count: 0 };
      windows.set(key, window);
    }
    if (++window.count <= perMinute) return next();
    const retryAfter = Math.ceil((window.start + 60_000 - now) / 1000);
    next(new AppError('rate_limited', 429, `more than ${perMinute} requests a minute from this address; retry in ${retryAfter} s`, { extra: { retry_after: retryAfter } }));
  };
}
