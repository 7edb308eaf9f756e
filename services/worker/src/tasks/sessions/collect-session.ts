import { readdirSync, Stats, statSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactFile, NewTaskSession, SessionSource } from '@aiopslab/shared/tables/task-sessions';
import { redact } from '../executors/secret-redactor';
import { jsonbSafe } from '../run/jsonb-safe';
import { parseSessionJson, pickSessionFile, sameJson } from './session-file';

/** AIOpsLab's output directories in the run's working directory (its cwd). */
export const ARTIFACT_DIRS = ['metrics_output', 'trace_output'] as const;

export interface SessionSources {
  taskId: string;
  attempt: number;
  workDir: string;
  resultsDir: string;
  /** ARTIFACT_DIR; this attempt's files go to <root>/<task id>/<attempt>/. */
  artifactRoot: string;
  sessionId: string | null;
  /** The session the `result` event carried (possibly cut to fit the 1 MiB protocol line). */
  resultSession: Record<string, unknown> | null;
  /** The result's trajectory was shortened (RunRecord's cap). */
  trajectoryTruncated: boolean;
  /** Larger session files are kept as a file under the artifact directory, not in the database. */
  maxSessionBytes: number;
  /** KEEP_WORK_DIRS: copy instead of move, so the working directory stays whole. */
  copy: boolean;
  /** Credential values to replace in the session file (the runner lines are redacted already). */
  secrets: readonly string[];
  warn(message: string): void;
}

/**
 * What to keep of one attempt: the full session (the results_dir file when AIOpsLab wrote one,
 * else the `result` event's session) and the metrics_output/ and trace_output/ files, moved out
 * of the working directory before it is deleted. Null when there is nothing to keep.
 */
export async function collectSession(src: SessionSources): Promise<NewTaskSession | null> {
  const attemptDir = path.join(src.artifactRoot, src.taskId, String(src.attempt));
  const artifacts: ArtifactFile[] = [];
  for (const name of ARTIFACT_DIRS) {
    const from = path.join(src.workDir, name);
    if (!isDirectory(from)) continue;
    await transfer(from, path.join(attemptDir, name), src.copy);
    artifacts.push(...(await listFiles(attemptDir, name)));
  }

  let session: unknown = null;
  let source: SessionSource = 'none';
  let sizeBytes = 0;
  const file = findSessionFile(src.resultsDir, src.sessionId);
  if (file && file.size > src.maxSessionBytes) {
    const kept = path.join('session', path.basename(file.path));
    await transfer(file.path, path.join(attemptDir, kept), true);
    artifacts.push({ path: kept, size_bytes: file.size });
    source = 'artifact_file';
    sizeBytes = file.size;
  } else if (file) {
    try {
      session = parseSessionJson(redact(await readFile(file.path, 'utf8'), src.secrets));
      source = 'results_dir';
    } catch (error) {
      const kept = path.join('session', path.basename(file.path));
      await transfer(file.path, path.join(attemptDir, kept), true);
      artifacts.push({ path: kept, size_bytes: file.size });
      src.warn(`session file ${path.basename(file.path)} is not valid JSON (${(error as Error).message}); kept as ${kept} under the artifact directory`);
    }
  }
  if (source === 'none' && src.resultSession) {
    session = src.resultSession;
    source = 'result_event';
  }
  if (source === 'none' && artifacts.length === 0) return null;

  const sessionJson = session === null ? null : JSON.stringify(jsonbSafe(session));
  if (sessionJson !== null) sizeBytes = Buffer.byteLength(sessionJson);
  // The result holds a cut copy, or none, of a session read from the file.
  const cutInResult = source === 'artifact_file' || (source === 'results_dir' && (!src.resultSession || !sameJson(src.resultSession, session)));
  return {
    taskId: src.taskId,
    attempt: src.attempt,
    sessionJson,
    source,
    sizeBytes,
    truncatedInResult: src.trajectoryTruncated || cutInResult,
    artifactDir: artifacts.length > 0 ? attemptDir : null,
    artifacts,
  };
}

// The probes below are synchronous: a few system calls on the working directory, each cheaper on
// the main thread than a thread-pool round trip (see work-dir.ts); a fast run has nothing to find.
function findSessionFile(resultsDir: string, sessionId: string | null): { path: string; size: number } | null {
  // The runner makes results_dir: a run that wrote nothing has none (a stat, not a thrown ENOENT).
  if (!isDirectory(resultsDir)) return null;
  let names: string[] = [];
  try {
    names = readdirSync(resultsDir);
  } catch {
    // unreadable: no session file
  }
  const entries = [];
  for (const name of names) {
    const info = statOrNull(path.join(resultsDir, name));
    if (info?.isFile()) entries.push({ name, mtimeMs: info.mtimeMs, size: info.size });
  }
  const picked = pickSessionFile(entries, sessionId);
  const entry = entries.find((e) => e.name === picked);
  return entry ? { path: path.join(resultsDir, entry.name), size: entry.size } : null;
}

function isDirectory(target: string): boolean {
  return statOrNull(target)?.isDirectory() ?? false;
}

function statOrNull(target: string): Stats | null {
  try {
    return statSync(target, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null; // unreadable: treated as absent, as before
  }
}

/** Moves (or copies) a file or directory; a move across file systems falls back to a copy. */
async function transfer(from: string, to: string, copy: boolean): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  await rm(to, { recursive: true, force: true }); // a re-run of the same attempt number replaces its files
  if (!copy) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    }
  }
  await cp(from, to, { recursive: true });
}

async function listFiles(root: string, relative: string): Promise<ArtifactFile[]> {
  const files: ArtifactFile[] = [];
  for (const entry of await readdir(path.join(root, relative), { withFileTypes: true })) {
    const child = path.join(relative, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(root, child)));
    else if (entry.isFile()) files.push({ path: child, size_bytes: (await stat(path.join(root, child))).size });
  }
  return files;
}
