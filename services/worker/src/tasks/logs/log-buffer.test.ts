import type { LogLine } from '@aiopslab/shared/tables/task-logs';
import { LogBuffer } from './log-buffer';

const out = (message: string): LogLine => ({ ts: new Date(0), stream: 'stdout', level: 'info', message });

describe('log buffer', () => {
  it('keeps output in order and hands it out in batches', () => {
    const buffer = new LogBuffer({ maxLines: 100, maxBytes: 1000 });
    for (const m of ['a', 'b', 'c']) buffer.addOutput(out(m));
    expect(buffer.pendingLines).toBe(3);
    expect(buffer.take(2).map((l) => l.message)).toEqual(['a', 'b']);
    expect(buffer.pendingBytes).toBe(1);
    buffer.putBack([out('b')]);
    expect(buffer.take(10).map((l) => l.message)).toEqual(['b', 'c']);
  });

  it('stops at the line cap with exactly one marker line and counts the rest', () => {
    const buffer = new LogBuffer({ maxLines: 3, maxBytes: 1000 });
    const kept = Array.from({ length: 10 }, (_, i) => buffer.addOutput(out(`line ${i}`)));
    expect(kept).toEqual([true, true, true, false, false, false, false, false, false, false]);
    const lines = buffer.take(100);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatchObject({ stream: 'system', level: 'warn', message: expect.stringContaining('log truncated') });
    expect(buffer.truncated).toBe(true);
    expect(buffer.dropped).toEqual({ lines: 7, bytes: 42 });
  });

  it('applies the byte cap, including what earlier attempts stored', () => {
    const buffer = new LogBuffer({ maxLines: 100, maxBytes: 10 }, { lines: 1, bytes: 6 });
    expect(buffer.addOutput(out('1234'))).toBe(true);
    expect(buffer.addOutput(out('x'))).toBe(false);
    expect(buffer.take(10).map((l) => l.stream)).toEqual(['stdout', 'system']);
  });

  it('always keeps lifecycle lines, even past the cap', () => {
    const buffer = new LogBuffer({ maxLines: 1, maxBytes: 1000 });
    buffer.addOutput(out('a'));
    buffer.addOutput(out('b'));
    buffer.addLifecycle({ ts: new Date(0), stream: 'system', level: 'info', message: 'completed' });
    expect(buffer.take(10).map((l) => l.message)).toEqual(['a', expect.stringContaining('log truncated'), 'completed']);
  });

  it('replaces NUL characters, which PostgreSQL text cannot store', () => {
    const buffer = new LogBuffer({ maxLines: 10, maxBytes: 1000 });
    buffer.addOutput(out('a\u0000b'));
    expect(buffer.take(1)[0].message).toBe('a\uFFFDb');
  });
});
