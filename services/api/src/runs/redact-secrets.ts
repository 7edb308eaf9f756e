/** Keys that name secrets: dropped from agent configs wherever they appear (export lines). */
const SECRET_KEY = /key|token|secret|password/i;
/** Matches the pattern but holds no secret: kept, a dataset needs it. */
const NOT_SECRET = new Set(['max_tokens']);

/** A deep copy of `value` without secret-looking keys (pure). */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([key]) => NOT_SECRET.has(key) || !SECRET_KEY.test(key))
      .map(([key, v]) => [key, redactSecrets(v)]),
  );
}
