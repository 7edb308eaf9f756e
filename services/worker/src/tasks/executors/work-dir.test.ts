import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createWorkDir, removeWorkDir, SYNC_REMOVE_MAX_ENTRIES } from './work-dir';

describe('an attempt working directory', () => {
  let root: string;
  const attemptDir = (attempt: number) => path.join(root, 'tasks', 'task-1', String(attempt));
  const layout = (workDir: string) => ({
    workDir,
    files: [{ name: 'task-spec.json', content: '{"task_id":"task-1"}', mode: 0o600 }],
  });

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'work-dir-test-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is created with its parents and a private spec file, and nothing else', async () => {
    const workDir = attemptDir(1);
    await createWorkDir(layout(workDir));
    expect(readdirSync(workDir)).toEqual(['task-spec.json']);
    expect(readFileSync(path.join(workDir, 'task-spec.json'), 'utf8')).toBe('{"task_id":"task-1"}');
    expect(statSync(path.join(workDir, 'task-spec.json')).mode & 0o777).toBe(0o600);
  });

  it('replaces what an earlier run of the same attempt left', async () => {
    const workDir = attemptDir(1);
    mkdirSync(path.join(workDir, 'results'), { recursive: true });
    writeFileSync(path.join(workDir, 'results', 'old-session.json'), '{}');
    writeFileSync(path.join(workDir, 'leftover.txt'), 'x');
    await createWorkDir(layout(workDir));
    expect(readdirSync(workDir)).toEqual(['task-spec.json']);
  });

  it('is removed with its task directory when no other attempt is kept there', async () => {
    const workDir = attemptDir(1);
    await createWorkDir(layout(workDir));
    mkdirSync(path.join(workDir, 'results'));
    writeFileSync(path.join(workDir, 'results', 'session.json'), '{}');
    await removeWorkDir(workDir);
    expect(existsSync(path.dirname(workDir))).toBe(false);
    expect(existsSync(path.join(root, 'tasks'))).toBe(true);
  });

  it('leaves the task directory when another attempt is kept there', async () => {
    await createWorkDir(layout(attemptDir(1)));
    await createWorkDir(layout(attemptDir(2)));
    await removeWorkDir(attemptDir(2));
    expect(readdirSync(path.dirname(attemptDir(1)))).toEqual(['1']);
  });

  it('removes a tree larger than the synchronous budget all the same', async () => {
    const workDir = attemptDir(1);
    await createWorkDir(layout(workDir));
    const deep = path.join(workDir, 'results', 'a', 'b');
    mkdirSync(deep, { recursive: true });
    for (let i = 0; i < SYNC_REMOVE_MAX_ENTRIES * 2; i++) writeFileSync(path.join(i % 2 ? deep : workDir, `f${i}`), String(i));
    await removeWorkDir(workDir);
    expect(existsSync(workDir)).toBe(false);
  });

  it('removes a symbolic link without following it', async () => {
    const outside = path.join(root, 'outside');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'precious.txt'), 'keep me');
    const workDir = attemptDir(1);
    await createWorkDir(layout(workDir));
    mkdirSync(path.join(workDir, 'results'));
    symlinkSync(outside, path.join(workDir, 'results', 'link-to-outside'));
    await removeWorkDir(workDir);
    expect(existsSync(workDir)).toBe(false);
    expect(readFileSync(path.join(outside, 'precious.txt'), 'utf8')).toBe('keep me');
  });

  it('is no error to remove when it is gone already', async () => {
    await expect(removeWorkDir(attemptDir(3))).resolves.toBeUndefined();
  });
});
