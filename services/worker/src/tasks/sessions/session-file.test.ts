import { parseSessionJson, pickSessionFile, sameJson } from './session-file';

describe('session file', () => {
  it('picks the file named after the session id, else the newest JSON file', () => {
    const entries = [
      { name: 'abc_1700000000.json', mtimeMs: 1 },
      { name: 'other_1700000005.json', mtimeMs: 5 },
      { name: 'notes.txt', mtimeMs: 9 },
    ];
    expect(pickSessionFile(entries, 'abc')).toBe('abc_1700000000.json');
    expect(pickSessionFile(entries, 'missing')).toBe('other_1700000005.json');
    expect(pickSessionFile(entries, null)).toBe('other_1700000005.json');
    expect(pickSessionFile([{ name: 'notes.txt', mtimeMs: 1 }], 'abc')).toBeNull();
  });

  it("reads Python's NaN and Infinity as null, but leaves them alone inside strings", () => {
    expect(parseSessionJson('{"a": NaN, "b": [Infinity, -Infinity], "c": "NaN \\" Infinity"}')).toEqual({ a: null, b: [null, null], c: 'NaN " Infinity' });
    expect(() => parseSessionJson('{"a": ')).toThrow();
  });

  it('compares sessions regardless of key order', () => {
    expect(sameJson({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 })).toBe(true);
    expect(sameJson({ a: 'long text' }, { a: 'long…[truncated 5 chars]' })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(sameJson([1, 2], [1])).toBe(false);
  });
});
