import { mkdirSync, readdirSync, rmdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';

/*
 * An attempt's working directory is made with the task spec in it and nothing else: the runner
 * makes what it writes to (results_dir, the helm homes; docs/runner-protocol.md). Every
 * directory made and removed per task costs an ext4 inode allocation, and under a steady stream
 * of short tasks ext4's allocator walks past each inode deleted in the last minute
 * (`recently_deleted`), so each extra directory costs more the faster tasks go: the five the
 * worker used to make were ~5 % of the machine's CPU in the no-op benchmark (perf).
 * They are made and removed with synchronous calls: each is a system call of microseconds on
 * the main thread, where its promise form costs a thread-pool round trip (a futex wake-up, an
 * eventfd write, a callback), which was most of a fast run's filesystem cost. Removal falls back
 * to the asynchronous rm for a large tree, so a run that left many files cannot block the loop.
 */

/** At most this many entries are removed synchronously; a larger tree goes to the async rm. */
export const SYNC_REMOVE_MAX_ENTRIES = 64;

export interface WorkDirLayout {
  workDir: string;
  files: readonly { name: string; content: string; mode: number }[];
}

/** Creates the working directory afresh: what an earlier run of the same attempt left is removed first. */
export async function createWorkDir(layout: WorkDirLayout): Promise<void> {
  const { workDir } = layout;
  mkdirSync(path.dirname(workDir), { recursive: true });
  try {
    mkdirSync(workDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    await rm(workDir, { recursive: true, force: true });
    mkdirSync(workDir);
  }
  for (const file of layout.files) writeFileSync(path.join(workDir, file.name), file.content, { mode: file.mode });
}

/** Removes the working directory, then its task directory when no other attempt's is left in it. */
export async function removeWorkDir(workDir: string): Promise<void> {
  if (!removeSmallTree(workDir, { left: SYNC_REMOVE_MAX_ENTRIES })) await rm(workDir, { recursive: true, force: true });
  try {
    rmdirSync(path.dirname(workDir));
  } catch {
    // another attempt's directory is kept there
  }
}

/**
 * Removes `dir` when it holds at most `budget.left` entries in all; false (possibly after
 * removing part of it) when it holds more or a call failed, for the async rm to finish or report.
 * Symbolic links are removed, never followed (readdir's types are lstat's).
 */
function removeSmallTree(dir: string, budget: { left: number }): boolean {
  try {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT';
    }
    budget.left -= entries.length;
    if (budget.left < 0) return false;
    for (const entry of entries) {
      const target = path.join(dir, entry.name);
      if (!entry.isDirectory()) unlinkSync(target);
      else if (!removeSmallTree(target, budget)) return false;
    }
    rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}
