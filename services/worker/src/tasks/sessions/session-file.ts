/**
 * Pure helpers for the session AIOpsLab writes to <results_dir>/<session_id>_<start>.json
 * (Session.to_json): which file it is, how to read it, and whether the result holds all of it.
 */

export interface FileEntry {
  name: string;
  mtimeMs: number;
}

/** The session file: the one named after the session id, else the newest JSON file; null when none. */
export function pickSessionFile(entries: FileEntry[], sessionId: string | null): string | null {
  const json = entries.filter((entry) => entry.name.endsWith('.json'));
  const named = sessionId ? json.filter((entry) => entry.name.startsWith(`${sessionId}_`)) : [];
  const candidates = named.length > 0 ? named : json;
  if (candidates.length === 0) return null;
  return candidates.reduce((newest, entry) => (entry.mtimeMs > newest.mtimeMs ? entry : newest)).name;
}

/**
 * Parses the file. Python's json.dump writes NaN and Infinity, which JSON lacks: when a plain
 * parse fails, those tokens outside strings become null and the parse is tried again.
 */
export function parseSessionJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const repaired = replaceNonFiniteTokens(text);
    if (repaired === text) throw error;
    return JSON.parse(repaired);
  }
}

function replaceNonFiniteTokens(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    const token = /^(-?Infinity|NaN)/.exec(text.slice(i, i + 9));
    if (token) {
      out += 'null';
      i += token[0].length - 1;
    } else out += c;
  }
  return out;
}

/** Key order does not count (jsonb and Python order keys differently); everything else does. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  return aKeys.every((key) => Object.prototype.hasOwnProperty.call(b, key) && sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
