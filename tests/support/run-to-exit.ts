import { spawn } from 'node:child_process';
import { serviceArgs } from './service-command';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/**
 * Starts a service as a real process and waits for it to exit on its own (a refusal to start);
 * a process still running after `limitMs` is killed and reported with signal SIGKILL.
 */
export function runServiceToExit(service: 'api' | 'worker' | 'history', env: Record<string, string>, limitMs = 30_000): Promise<Exit> {
  const child = spawn(process.execPath, serviceArgs(service), {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    }),
  );
}
