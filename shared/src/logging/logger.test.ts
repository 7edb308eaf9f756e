import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

const LOGGER = path.resolve(__dirname, '../../dist/logging/logger.js');

describe('logger', () => {
  it('keeps a process alive and responsive when the reader of its stdout goes away (EPIPE)', async () => {
    // A service logging every few ms; its supervisor dies (the pipe's read end closes); it must
    // neither crash on EPIPE nor spin, and must still exit cleanly on SIGTERM.
    const script = `
      const logger = require(${JSON.stringify(LOGGER)}).createLogger('epipe-test', 'info');
      setInterval(() => logger.info('tick', { n: Date.now() }), 2);
      process.on('SIGTERM', () => { process.exitCode = 0; process.exit(); });
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy(); // the read end closes: the child's next writes fail with EPIPE
    const early = await Promise.race([exited.then((code) => `exited with ${code}`), new Promise<string>((r) => setTimeout(() => r('alive'), 500))]);
    expect(early).toBe('alive');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  /** What a process writes on stdout with a logger made by createLogger('api', 'info', options). */
  function stdoutOf(options: string, stdoutIsTTY = false): string {
    const script = `
      process.stdout.isTTY = ${stdoutIsTTY};
      const { createLogger } = require(${JSON.stringify(LOGGER)});
      createLogger('api', 'info', ${options}).info('api listening', { port: 8001, task_id: 't-1' });
    `;
    return spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' }).stdout;
  }

  it.each(['{}', 'false'])('writes JSON lines by default (options %s), even when stdout is a terminal', (options) => {
    for (const tty of [false, true]) {
      const output = stdoutOf(options, tty);
      expect(output.split('\n')).toHaveLength(2);
      expect(JSON.parse(output)).toMatchObject({ level: 'info', message: 'api listening', service: 'api', port: 8001, task_id: 't-1', timestamp: expect.any(String) });
    }
  });

  it("writes readable lines with format 'pretty' (LOG_FORMAT=pretty)", () => {
    const line = stdoutOf("{ format: 'pretty' }").replace(/\x1b\[[0-9;]*m/g, '');
    expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3} api     info  api listening  task_id=t-1 port=8001\n$/);
  });

  it('writes nothing when silent', () => {
    expect(stdoutOf('{ silent: true }')).toBe('');
    expect(stdoutOf('true')).toBe('');
  });
});
