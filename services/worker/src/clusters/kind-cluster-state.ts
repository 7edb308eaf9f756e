import { readFile, rm, writeFile, rename } from 'node:fs/promises';
import type { Logger } from '@aiopslab/shared/logging/logger';

export type RecreateReason = 'unhealthy' | 'task_limit' | 'reset_failed' | 'warm_failed';

interface StoredState {
  cluster: string;
  tasks_since_create: number;
  dirty: boolean;
  in_use: boolean;
}

/**
 * What the worker knows about its cluster, kept in a file beside the kubeconfig so a restarted
 * worker (with KIND_KEEP_CLUSTER, or after a crash) still knows: a cluster that was in use when the
 * worker died may hold injected faults, so it counts as dirty.
 */
export class KindClusterState {
  tasksSinceCreate = 0;
  dirty = false;
  private inUse = false;

  constructor(
    private readonly file: string,
    private readonly cluster: string,
  ) {}

  async load(logger: Logger): Promise<void> {
    let stored: StoredState;
    try {
      stored = JSON.parse(await readFile(this.file, 'utf8')) as StoredState;
    } catch {
      return;
    }
    if (stored.cluster !== this.cluster) return;
    this.tasksSinceCreate = Number(stored.tasks_since_create) || 0;
    this.dirty = Boolean(stored.dirty) || Boolean(stored.in_use);
    this.inUse = false;
    if (stored.in_use) logger.warn('the kind cluster was in use when the worker stopped; treating it as dirty', { cluster: this.cluster });
  }

  async update(change: Partial<{ tasksSinceCreate: number; dirty: boolean; inUse: boolean }>): Promise<void> {
    this.tasksSinceCreate = change.tasksSinceCreate ?? this.tasksSinceCreate;
    this.dirty = change.dirty ?? this.dirty;
    this.inUse = change.inUse ?? this.inUse;
    const stored: StoredState = { cluster: this.cluster, tasks_since_create: this.tasksSinceCreate, dirty: this.dirty, in_use: this.inUse };
    await writeFile(`${this.file}.tmp`, JSON.stringify(stored));
    await rename(`${this.file}.tmp`, this.file);
  }

  async clear(): Promise<void> {
    this.tasksSinceCreate = 0;
    this.dirty = false;
    this.inUse = false;
    await rm(this.file, { force: true });
  }
}
