import { runWithLogContext } from './correlation';
import { logFormat } from './logger';

const LEVEL = Symbol.for('level');
const MESSAGE = Symbol.for('message');
const ESC = '\x1b';

/** The line a logger of `service` writes for one call, through the format alone (no stdout). */
function lineOf(format: 'json' | 'pretty', level: string, message: string, fields: Record<string, unknown> = {}, service = 'worker'): string {
  const info = { level, [LEVEL]: level, message, service, ...fields };
  const out = logFormat(format).transform(info, {}) as unknown as Record<symbol, string>;
  return out[MESSAGE];
}

const uncoloured = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

describe('the pretty log format', () => {
  it('reads time, service, level, message, then the ids and every other field as key=value', () => {
    const line = uncoloured(lineOf('pretty', 'info', 'task finished', { status: 'completed', correlation_id: 'c-1', duration_ms: 1200, worker_id: 'w-1', task_id: 't-1' }));
    expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3} worker  info  task finished  task_id=t-1 worker_id=w-1 correlation_id=c-1 status=completed duration_ms=1200$/);
  });

  it('colours the level (red error, yellow warn, green info) and nothing else changes', () => {
    expect(lineOf('pretty', 'error', 'boom')).toContain(`${ESC}[31merror${ESC}[39m`);
    expect(lineOf('pretty', 'warn', 'careful')).toContain(`${ESC}[33mwarn${ESC}[39m `);
    expect(lineOf('pretty', 'info', 'fine')).toContain(`${ESC}[32minfo${ESC}[39m `);
  });

  it('quotes values with spaces or quotes and writes objects as JSON, so a line still parses by eye', () => {
    const line = uncoloured(lineOf('pretty', 'warn', 'callback not delivered; giving up', { reason: 'connect ECONNREFUSED 127.0.0.1:9', attempts: 3, workers: ['a', 'b'], detail: { code: 'E' }, empty: '', none: null }));
    expect(line).toContain('reason="connect ECONNREFUSED 127.0.0.1:9" attempts=3 workers=["a","b"] detail={"code":"E"} empty="" none=null');
  });

  it('shows the stack of an error below its line', () => {
    const error = new Error('database gone');
    const line = uncoloured(lineOf('pretty', 'error', 'unhandled error', { error: error.message, stack: error.stack, path: '/tasks' }, 'api'));
    const [first, ...rest] = line.split('\n');
    expect(first).toMatch(/ api     error unhandled error  error="database gone" path=\/tasks$/);
    expect(rest[0]).toBe('Error: database gone');
    expect(rest[1]).toMatch(/^ {4}at /);
  });

  it('logger.error(new Error(...)) shows the message and the stack', () => {
    const info = Object.assign(new Error('listen EADDRINUSE'), { level: 'error', [LEVEL]: 'error', service: 'history' });
    const out = logFormat('pretty').transform(info as never, {}) as unknown as Record<symbol, string>;
    const lines = uncoloured(out[MESSAGE]).split('\n');
    expect(lines[0]).toMatch(/ history error listen EADDRINUSE$/);
    expect(lines[1]).toBe('Error: listen EADDRINUSE');
  });

  it('carries the log context (AsyncLocalStorage) like the JSON lines do', () => {
    const line = runWithLogContext({ correlation_id: 'req-7', task_id: 't-9' }, () => uncoloured(lineOf('pretty', 'info', 'task submitted')));
    expect(line).toMatch(/task submitted {2}task_id=t-9 correlation_id=req-7$/);
  });
});

describe('the JSON log format', () => {
  it('is the default: one JSON object with every field, the context and an ISO timestamp', () => {
    const line = runWithLogContext({ correlation_id: 'req-1' }, () => {
      const info = { level: 'info', [LEVEL]: 'info', message: 'api listening', service: 'api', port: 8001 };
      return (logFormat().transform(info, {}) as unknown as Record<symbol, string>)[MESSAGE];
    });
    expect(JSON.parse(line)).toEqual({ level: 'info', message: 'api listening', service: 'api', port: 8001, correlation_id: 'req-1', timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
    expect(line).not.toContain(ESC);
  });
});
