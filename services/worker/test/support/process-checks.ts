import { readFileSync } from 'node:fs';

/** Pids a stand-in printed ("runner pid=1 child pid=2") in its stdout log lines. */
export function printedPids(lines: { message: string }[]): { runner: number; child: number | null } {
  for (const { message } of lines) {
    const match = message.match(/runner pid=(\d+)(?: child pid=(\d+))?/);
    if (match) return { runner: Number(match[1]), child: match[2] ? Number(match[2]) : null };
  }
  throw new Error('the runner printed no pid line');
}

/** A live process (a zombie waiting to be reaped by init is dead). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}
