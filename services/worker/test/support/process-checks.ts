import { readFileSync } from 'node:fs';
import { waitUntil } from '../../../../tests/support/amqp-helpers';

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

/** Waits until the stand-in runner has printed its pids into the task's logs. */
export async function waitForRunnerPids(logs: () => Promise<{ message: string }[]>): Promise<{ runner: number; child: number | null }> {
  let pids: ReturnType<typeof printedPids> | null = null;
  await waitUntil(async () => {
    try {
      pids = printedPids(await logs());
      return true;
    } catch {
      return false;
    }
  }, 10_000, 'the runner to print its pids');
  return pids!;
}
