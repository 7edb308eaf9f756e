import { spawn } from 'node:child_process';
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
});
