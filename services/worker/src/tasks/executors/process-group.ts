import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { withoutStackTraces } from './without-stack-traces';
import { sleep } from '@aiopslab/shared/lifecycle/sleep';

/**
 * Signals to a whole process group: the runner is spawned detached (its own group, pgid = pid),
 * so AIOpsLab's helm/kubectl children and anything else it starts are stopped with it.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    withoutStackTraces(() => process.kill(-pgid, signal)); // ESRCH, the group is gone, is the common answer
    return true;
  } catch (error) {
    // EPERM: the group exists but is not ours to signal (cannot happen for our own children).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `pid (comm) state ppid pgrp ...`: the state and process group of one /proc entry. */
function statOf(pid: string): { state: string; pgrp: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], pgrp: Number(fields[2]) };
  } catch {
    return null; // exited meanwhile
  }
}

/**
 * Whether any live process is left in the group. A killed process whose parent has not reaped it
 * yet (a zombie, e.g. a grandchild orphaned to an init that reaps lazily) is dead and does not
 * count; where /proc is missing, signal 0 answers (and counts zombies).
 */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  if (!existsSync('/proc/self/stat')) return true;
  return readdirSync('/proc').some((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    const stat = statOf(entry);
    return stat !== null && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X';
  });
}

/** Waits until no process of the group is left, up to `timeoutMs`; returns whether it is gone. */
export async function waitForGroupExit(pgid: number, timeoutMs: number, pollMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await sleep(pollMs);
  }
  return true;
}

/**
 * SIGTERM to the group, then SIGKILL to whatever is left after `graceMs`. Resolves when the
 * group is gone (or did not go within a second of SIGKILL, which only an unkillable process in
 * uninterruptible sleep can cause).
 */
export async function terminateGroup(pgid: number, graceMs: number): Promise<'gone' | 'killed' | 'stuck'> {
  if (!signalGroup(pgid, 'SIGTERM')) return 'gone';
  if (await waitForGroupExit(pgid, graceMs)) return 'gone';
  signalGroup(pgid, 'SIGKILL');
  return (await waitForGroupExit(pgid, 1000)) ? 'killed' : 'stuck';
}
