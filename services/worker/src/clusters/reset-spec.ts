import { access, copyFile, rm } from 'node:fs/promises';
import type { Logger } from '@aiopslab/shared/logging/logger';

/**
 * The spec of the last dirty run, copied beside the cluster's state before the attempt's working
 * directory goes: the problem's own cleanup (`--cleanup-problem`) needs it before the next task.
 */
export class ResetSpec {
  constructor(
    private readonly file: string,
    private readonly logger: Logger,
  ) {}

  async keep(specFile: string | null): Promise<void> {
    await this.clear();
    if (!specFile) return;
    await copyFile(specFile, this.file).catch((error: Error) => this.logger.warn("the task's spec could not be kept for the problem's cleanup; the reset will go without it", { error: error.message }));
  }

  /** The kept spec's path, or null. */
  current(): Promise<string | null> {
    return access(this.file).then(() => this.file, () => null);
  }

  clear(): Promise<void> {
    return rm(this.file, { force: true });
  }
}
