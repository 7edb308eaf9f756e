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

/** The SQLSTATE of a node-postgres error (the history service's only database client), if any. */
export function sqlStateOf(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}
