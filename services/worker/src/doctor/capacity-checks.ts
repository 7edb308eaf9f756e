import { statfs } from 'node:fs/promises';
import path from 'node:path';
import { type HostCheck, ok, problem, skip } from './host-check';
import { CPUS_PER_WORKER, DISK_PER_WORKER, formatBytes, MEMORY_PER_WORKER } from './host-requirements';

/** The host's size as the Docker engine reports it (where the Kind nodes run), else this process's host. */
export interface HostSize {
  memoryBytes: number;
  cpus: number;
  /** "Docker engine" or "this machine": whose numbers these are. */
  source: string;
}

const workersText = (workers: number) => `${workers} worker${workers === 1 ? '' : 's'}`;

export function checkMemory(size: HostSize, workers: number): HostCheck {
  const minimum = MEMORY_PER_WORKER.minimumBytes * workers;
  const recommended = MEMORY_PER_WORKER.recommendedBytes * workers;
  const detail = `${formatBytes(size.memoryBytes)} (${size.source}) for ${workersText(workers)}`;
  const fewer = Math.max(1, Math.floor(size.memoryBytes / MEMORY_PER_WORKER.minimumBytes));
  if (size.memoryBytes < minimum) {
    return problem('memory', 'memory', 'fail', `${detail}; need ${formatBytes(minimum)} (8 GiB per worker)`, `plan fewer workers (DOCTOR_WORKERS=${fewer}, docker compose up --scale worker=${fewer}) or add memory`);
  }
  if (size.memoryBytes < recommended) {
    return problem('memory', 'memory', 'warn', `${detail}; ${formatBytes(recommended)} recommended (16 GiB per worker, AIOpsLab's CI runner)`, 'expect slow warm-ups and evictions under load; add memory or plan fewer workers');
  }
  return ok('memory', 'memory', `${detail} (>= 16 GiB per worker)`);
}

export function checkCpus(size: HostSize, workers: number): HostCheck {
  const minimum = CPUS_PER_WORKER.minimum * workers;
  const recommended = CPUS_PER_WORKER.recommended * workers;
  const detail = `${size.cpus} CPUs (${size.source}) for ${workersText(workers)}`;
  if (size.cpus < minimum) {
    const fewer = Math.max(1, Math.floor(size.cpus / CPUS_PER_WORKER.minimum));
    return problem('cpu', 'CPUs', 'fail', `${detail}; need ${minimum} (2 per worker)`, `plan fewer workers (DOCTOR_WORKERS=${fewer}, docker compose up --scale worker=${fewer}) or add CPUs`);
  }
  if (size.cpus < recommended) {
    return problem('cpu', 'CPUs', 'warn', `${detail}; ${recommended} recommended (4 per worker, AIOpsLab's CI runner)`, 'expect slower warm-ups than upstream\'s CI figures; add CPUs or plan fewer workers');
  }
  return ok('cpu', 'CPUs', `${detail} (>= 4 per worker)`);
}

export type DiskProbe = { measured: true; freeBytes: number; measuredAt: string } | { measured: false; reason: string };

/**
 * Free bytes on the file system of `dir`. With `nearestParent`, a directory that does not exist yet
 * (WORK_DIR before the first start) is measured at its nearest existing parent; without it (Docker's
 * data root, which is the engine host's path) a missing directory is not measured.
 */
export async function probeFreeDisk(dir: string, nearestParent: boolean): Promise<DiskProbe> {
  let candidate = path.resolve(dir);
  for (;;) {
    try {
      const stats = await statfs(candidate);
      return { measured: true, freeBytes: stats.bavail * stats.bsize, measuredAt: candidate };
    } catch (error) {
      const parent = path.dirname(candidate);
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      if (!missing || !nearestParent || parent === candidate) return { measured: false, reason: (error as Error).message };
      candidate = parent;
    }
  }
}

export interface DiskTarget {
  id: 'disk-work-dir' | 'disk-docker-root';
  name: string;
  /** The directory as configured (WORK_DIR, Docker's DockerRootDir). */
  dir: string;
  perWorker: { minimumBytes: number; recommendedBytes: number };
  /** What frees space there. */
  fix: string;
}

export const WORK_DIR_DISK = (dir: string): DiskTarget => ({
  id: 'disk-work-dir',
  name: 'disk: WORK_DIR',
  dir,
  perWorker: DISK_PER_WORKER.workDir,
  fix: `free space under ${dir}, or set WORK_DIR to a larger file system`,
});

export const DOCKER_ROOT_DISK = (dir: string): DiskTarget => ({
  id: 'disk-docker-root',
  name: 'disk: Docker data root',
  dir,
  perWorker: DISK_PER_WORKER.dockerRoot,
  fix: `docker system prune (removes stopped containers and dangling images), or move Docker's data-root ("data-root" in /etc/docker/daemon.json) to a larger disk`,
});

export function checkDisk(target: DiskTarget, probe: DiskProbe, workers: number): HostCheck {
  if (!probe.measured) return skip(target.id, target.name, `cannot measure ${target.dir} from here (${probe.reason}); check with: df -h ${target.dir}`);
  const minimum = target.perWorker.minimumBytes * workers;
  const recommended = target.perWorker.recommendedBytes * workers;
  const detail = `${formatBytes(probe.freeBytes)} free at ${probe.measuredAt} for ${workersText(workers)}`;
  if (probe.freeBytes < minimum) return problem(target.id, target.name, 'fail', `${detail}; need ${formatBytes(minimum)}`, target.fix);
  if (probe.freeBytes < recommended) return problem(target.id, target.name, 'warn', `${detail}; ${formatBytes(recommended)} recommended`, target.fix);
  return ok(target.id, target.name, detail);
}
