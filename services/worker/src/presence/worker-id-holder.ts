import { randomUUID } from 'node:crypto';
import type { WorkerIdHolder } from '@aiopslab/shared/tables/worker-leases';

export class WorkerIdTakenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerIdTakenError';
  }
}

/** This process, as a holder names it: two workers in one process share it, a restarted one does not. */
const PROCESS_NONCE = randomUUID().slice(0, 8);

/**
 * A holder token: `host/pid/process nonce/instance nonce`. It lets a restarted worker on the same
 * host see that the previous holder is gone (its pid is dead, or the pid is its own with another
 * process nonce: a container restarted as pid 1) and take its id back at once, instead of
 * waiting WORKER_STALE_SECONDS for the old heartbeat to go stale.
 */
export function newHolderToken(hostname: string, pid = process.pid): string {
  return [hostname.replace(/\//g, '_'), pid, PROCESS_NONCE, randomUUID().slice(0, 8)].join('/');
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, another user's
  }
}

/**
 * Whether `holder` is certainly dead, as seen from this process on `hostname`. Only a holder on
 * this host can be judged; anywhere else the lease decides (a silent holder loses the id after
 * WORKER_STALE_SECONDS).
 */
export function holderIsDead(holder: string | null, hostname: string, alive: (pid: number) => boolean = pidAlive): boolean {
  const [host, pidText, processNonce] = (holder ?? '').split('/');
  const pid = Number(pidText);
  if (host !== hostname.replace(/\//g, '_') || !Number.isInteger(pid) || pid <= 0 || !processNonce) return false;
  if (pid === process.pid) return processNonce !== PROCESS_NONCE;
  return !alive(pid);
}

/** The refusal, naming the live holder. */
export function workerIdTaken(workerId: string, holder: WorkerIdHolder | null): WorkerIdTakenError {
  const seen = holder ? `on host ${holder.hostname}, last heartbeat ${holder.lastHeartbeatAt.toISOString()}, status ${holder.status}` : 'by a process that has not registered yet';
  return new WorkerIdTakenError(
    `WORKER_ID ${workerId} is held by a running worker (${seen}). ` + 'Give this worker another WORKER_ID (each worker needs its own), or stop the other one first.',
  );
}
