/**
 * Tells a bad row from a bad moment. PostgreSQL data exceptions (class 22: a NUL byte, a date out
 * of range) and integrity violations (class 23) belong to one event and will fail again on every
 * retry; everything else (unreachable server, dropped connection, shutdown, deadlock, pool
 * timeout) may pass, so the caller keeps the events and retries. Unknown errors count as
 * transient: retrying is safe, dead-lettering a good event is not.
 */
export function isDataError(error: unknown): boolean {
  const code = sqlStateOf(error);
  return code !== null && (code.startsWith('22') || code.startsWith('23'));
}

/** The SQLSTATE behind a pg error or a Prisma driver-adapter error, if any. */
export function sqlStateOf(error: unknown): string | null {
  const candidate = error as {
    code?: unknown;
    meta?: { code?: unknown; driverAdapterError?: { cause?: { kind?: unknown; code?: unknown; originalCode?: unknown } } };
  };
  const cause = candidate?.meta?.driverAdapterError?.cause;
  if (cause && cause.kind === 'postgres') {
    const code = cause.originalCode ?? cause.code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  if (typeof candidate?.meta?.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.meta.code)) return candidate.meta.code;
  // node-postgres errors carry the SQLSTATE directly (Prisma's own codes are P####).
  if (typeof candidate?.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code) && !candidate.code.startsWith('P')) return candidate.code;
  return null;
}
