import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type HostCheck, ok, problem } from './host-check';
import { INOTIFY_PER_WORKER, SYSCTL_FILE } from './host-requirements';

export interface InotifyLimits {
  maxUserInstances: number;
  maxUserWatches: number;
}

export type InotifyProbe = { read: true; limits: InotifyLimits } | { read: false; error: string };

/** Reads max_user_instances and max_user_watches from `dir` (/proc/sys/fs/inotify on Linux). */
export async function readInotifyLimits(dir: string): Promise<InotifyProbe> {
  try {
    const read = async (name: string) => {
      const value = Number((await readFile(path.join(dir, name), 'utf8')).trim());
      if (!Number.isInteger(value)) throw new Error(`${path.join(dir, name)} does not hold a number`);
      return value;
    };
    return { read: true, limits: { maxUserInstances: await read('max_user_instances'), maxUserWatches: await read('max_user_watches') } };
  } catch (error) {
    return { read: false, error: (error as Error).message };
  }
}

/** kind's figure for one cluster, times the planned workers (the limits are per user, shared by all). */
export function requiredInotifyLimits(workers: number): InotifyLimits {
  return { maxUserInstances: INOTIFY_PER_WORKER.maxUserInstances * workers, maxUserWatches: INOTIFY_PER_WORKER.maxUserWatches * workers };
}

/** The sysctl lines that raise what is short and keep what is already higher. */
export function inotifyFix(current: InotifyLimits, required: InotifyLimits): string {
  const instances = Math.max(current.maxUserInstances, required.maxUserInstances);
  const watches = Math.max(current.maxUserWatches, required.maxUserWatches);
  return [
    `sudo sysctl -w fs.inotify.max_user_instances=${instances}`,
    `sudo sysctl -w fs.inotify.max_user_watches=${watches}`,
    `printf 'fs.inotify.max_user_instances = ${instances}\\nfs.inotify.max_user_watches = ${watches}\\n' | sudo tee ${SYSCTL_FILE}`,
    '(and delete older fs.inotify lines from /etc/sysctl.conf: it is read last and wins after a reboot)',
  ].join('\n');
}

export function checkInotify(probe: InotifyProbe, workers: number): HostCheck {
  const required = requiredInotifyLimits(workers);
  const need = `${required.maxUserInstances} instances / ${required.maxUserWatches} watches for ${workers} worker${workers === 1 ? '' : 's'}`;
  if (!probe.read) {
    return problem('inotify', 'inotify limits', 'warn', `cannot read the limits (${probe.error}); need ${need}`, inotifyFix({ maxUserInstances: 0, maxUserWatches: 0 }, required));
  }
  const { limits } = probe;
  const have = `max_user_instances=${limits.maxUserInstances}, max_user_watches=${limits.maxUserWatches}`;
  if (limits.maxUserInstances < required.maxUserInstances || limits.maxUserWatches < required.maxUserWatches) {
    return problem('inotify', 'inotify limits', 'fail', `${have}; need ${need} (pods fail with "too many open files")`, inotifyFix(limits, required));
  }
  return ok('inotify', 'inotify limits', `${have} (need ${need})`);
}
