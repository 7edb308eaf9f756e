/**
 * A copy of a JSON value that PostgreSQL's jsonb accepts: it rejects the NUL character (\u0000)
 * in strings and keys, which runner output may contain. Pure.
 */
export function jsonbSafe<T>(value: T): T {
  return clean(value) as T;
}

function cleanText(text: string): string {
  return text.includes('\u0000') ? text.replace(/\u0000/g, '\uFFFD') : text;
}

function clean(value: unknown): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (Array.isArray(value)) return value.map(clean);
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[cleanText(key)] = clean(item);
    return copy;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  return value;
}
