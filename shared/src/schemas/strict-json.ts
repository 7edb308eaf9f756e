import { FieldError, ValidationError } from '../errors/app-error';

/**
 * JSON.parse that also rejects duplicate object keys (JSON.parse silently keeps the last one,
 * which would let `{"priority":1,"priority":9}` mean something the client may not intend).
 * The duplicate scan is iterative, so deep nesting cannot overflow the stack.
 */
export function parseStrictJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`request body is not valid JSON: ${(error as Error).message}`, [
      { field: '(body)', rule: 'json', message: 'must be well-formed JSON (RFC 8259)' },
    ]);
  }
  if (/\\u0000/i.test(text)) {
    const path = findNulString(value);
    if (path !== null) {
      throw new ValidationError('request body contains a NUL character (\\u0000), which cannot be stored; remove it', [
        { field: path || '(body)', rule: 'noNul', message: 'must not contain \\u0000' },
      ]);
    }
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate) {
    const details: FieldError[] = [{ field: duplicate.path || duplicate.key, rule: 'duplicateKey', message: `key "${duplicate.key}" appears more than once in the same object` }];
    throw new ValidationError(`request body repeats the key "${duplicate.key}"; send each field once`, details);
  }
  return value;
}

/** The dotted path of the first key or string value holding U+0000 (PostgreSQL rejects it), or null. */
function findNulString(root: unknown): string | null {
  const stack: [unknown, string][] = [[root, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path;
    } else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        const childPath = path ? `${path}.${key}` : key;
        if (key.includes('\u0000')) return childPath;
        stack.push([child, childPath]);
      }
    }
  }
  return null;
}

interface Frame {
  kind: 'object' | 'array';
  keys: Set<string>;
  expectKey: boolean;
  key: string;
}

function findDuplicateKey(text: string): { key: string; path: string } | null {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      const end = endOfString(text, i);
      const top = stack[stack.length - 1];
      if (top?.kind === 'object' && top.expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return { key, path: [...stack.slice(0, -1).map((f) => f.key).filter(Boolean), key].join('.') };
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = end;
    } else if (ch === '{') {
      stack.push({ kind: 'object', keys: new Set(), expectKey: true, key: '' });
    } else if (ch === '[') {
      stack.push({ kind: 'array', keys: new Set(), expectKey: false, key: '' });
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      const top = stack[stack.length - 1];
      if (top?.kind === 'object') top.expectKey = true;
    }
  }
  return null;
}

function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length - 1;
}
