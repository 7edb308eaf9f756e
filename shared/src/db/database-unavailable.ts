import { AppError } from '../errors/app-error';

/** Seconds a client is asked to wait before retrying while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Socket-level codes of a server that cannot be reached or went away mid-query. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
/** PostgreSQL SQLSTATEs of an unusable server: connection exceptions, shutdown, starting up, too many connections. */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53300)$/;
/** What node-postgres, its pool and Prisma's driver adapter say when there is no connection. */
const UNAVAILABLE_MESSAGE = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Can't reach database server|server closed the connection|ECONNREFUSED|ECONNRESET|Client has encountered a connection error/i;

/**
 * Whether an error means "the database cannot be reached right now" (retry later) rather than a
 * bug or a bad request. Walks the `cause` chain and Prisma's driver-adapter wrapping.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const e = error as { code?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: string; originalCode?: unknown; code?: unknown } } } };
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || UNAVAILABLE_SQLSTATE.test(e.code))) return true;
  const adapterCause = e.meta?.driverAdapterError?.cause;
  if (adapterCause) {
    if (adapterCause.kind === 'DatabaseNotReachable' || adapterCause.kind === 'SocketTimeout' || adapterCause.kind === 'ConnectionClosed') return true;
    const sqlState = adapterCause.originalCode ?? adapterCause.code;
    if (typeof sqlState === 'string' && UNAVAILABLE_SQLSTATE.test(sqlState)) return true;
  }
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

/** 503 with Retry-After: nothing was stored or read; the same request may succeed later. */
export class DatabaseUnavailableError extends AppError {
  constructor(cause?: unknown) {
    super('database_unavailable', 503, `the database is unreachable, so nothing was stored or read; retry in ${DATABASE_RETRY_AFTER_SECONDS} s (with the same Idempotency-Key for a submission)`, {
      cause,
      extra: { retry_after: DATABASE_RETRY_AFTER_SECONDS },
    });
    this.name = 'DatabaseUnavailableError';
  }
}
