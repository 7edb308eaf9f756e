import { parseStrictJson } from './strict-json';
import { ValidationError } from '../errors/app-error';

/** What `parse` throws; a parse that throws nothing fails the test. */
function errorOf(parse: () => unknown): ValidationError {
  try {
    parse();
  } catch (error) {
    return error as ValidationError;
  }
  throw new Error('expected parseStrictJson to throw, and it returned');
}

describe('parseStrictJson', () => {
  it('parses ordinary JSON', () => {
    expect(parseStrictJson('{"a":{"b":[1,{"c":"}\\"{"}]},"d":"x"}')).toEqual({ a: { b: [1, { c: '}"{' }] }, d: 'x' });
  });

  it('rejects a repeated key and names it', () => {
    expect(() => parseStrictJson('{"priority":1,"priority":9}')).toThrow(/repeats the key "priority"/);
    const error = errorOf(() => parseStrictJson('{"metadata":{"a":1,"b":{"x":1},"a":2}}'));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.details[0]).toMatchObject({ field: 'metadata.a', rule: 'duplicateKey' });
  });

  it('allows the same key in sibling objects and in arrays of objects', () => {
    expect(parseStrictJson('[{"a":1},{"a":2}]')).toEqual([{ a: 1 }, { a: 2 }]);
    expect(parseStrictJson('{"x":{"a":1},"y":{"a":2}}')).toEqual({ x: { a: 1 }, y: { a: 2 } });
  });

  it('treats escaped quotes and key-looking values correctly', () => {
    expect(parseStrictJson('{"a":"\\"a\\":","b":"a"}')).toEqual({ a: '"a":', b: 'a' });
    expect(() => parseStrictJson('{"\\u0061":1,"a":2}')).toThrow(/repeats the key "a"/);
  });

  it('rejects NUL characters that PostgreSQL cannot store, naming where they are', () => {
    expect(() => parseStrictJson('{"metadata":{"note":"a\\u0000b"}}')).toThrow(/NUL character/);
    const error = errorOf(() => parseStrictJson('{"metadata":{"k\\u0000":1}}'));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.details[0]).toMatchObject({ field: 'metadata.k\u0000', rule: 'noNul' });
    expect(parseStrictJson('{"note":"\\\\u0000"}')).toEqual({ note: '\\u0000' });
  });

  it('reports malformed and truncated JSON as a validation error', () => {
    expect(() => parseStrictJson('{"problem_id": "x"')).toThrow(ValidationError);
    expect(() => parseStrictJson('')).toThrow(/not valid JSON/);
  });

  it('survives very deep nesting without a stack overflow', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(() => parseStrictJson(deep)).not.toThrow(RangeError);
  });
});
