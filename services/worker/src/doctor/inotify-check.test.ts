import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkInotify, readInotifyLimits, requiredInotifyLimits } from './inotify-check';

describe('requiredInotifyLimits', () => {
  it("is kind's figure for one cluster times the planned workers", () => {
    expect(requiredInotifyLimits(1)).toEqual({ maxUserInstances: 512, maxUserWatches: 524_288 });
    expect(requiredInotifyLimits(4)).toEqual({ maxUserInstances: 2048, maxUserWatches: 2_097_152 });
  });
});

describe('checkInotify', () => {
  it("with Ubuntu's defaults, fails and gives the sysctl lines and the sysctl.d file", () => {
    const check = checkInotify({ read: true, limits: { maxUserInstances: 128, maxUserWatches: 8192 } }, 2);
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('need 1024 instances / 1048576 watches for 2 workers');
    expect(check.fix).toContain('sudo sysctl -w fs.inotify.max_user_instances=1024');
    expect(check.fix).toContain('sudo sysctl -w fs.inotify.max_user_watches=1048576');
    expect(check.fix).toContain('| sudo tee /etc/sysctl.d/99-aiopslab-kind.conf');
  });

  it('never lowers a limit that is already higher than needed', () => {
    const check = checkInotify({ read: true, limits: { maxUserInstances: 128, maxUserWatches: 4_000_000 } }, 1);
    expect(check.fix).toContain('max_user_watches=4000000');
    expect(check.fix).toContain('max_user_instances=512');
  });

  it('passes at the limits kind documents for one worker', () => {
    expect(checkInotify({ read: true, limits: { maxUserInstances: 512, maxUserWatches: 524_288 } }, 1).status).toBe('ok');
  });

  it('warns, with the fix, when the limits cannot be read', () => {
    const check = checkInotify({ read: false, error: 'ENOENT' }, 1);
    expect(check.status).toBe('warn');
    expect(check.fix).toContain('fs.inotify.max_user_instances=512');
  });
});

describe('readInotifyLimits', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'inotify-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads both files of the directory it is given', async () => {
    await writeFile(path.join(dir, 'max_user_instances'), '256\n');
    await writeFile(path.join(dir, 'max_user_watches'), '65536\n');
    expect(await readInotifyLimits(dir)).toEqual({ read: true, limits: { maxUserInstances: 256, maxUserWatches: 65536 } });
  });

  it('reports a missing or unreadable file instead of throwing', async () => {
    await writeFile(path.join(dir, 'max_user_instances'), 'many\n');
    const probe = await readInotifyLimits(dir);
    expect(probe.read).toBe(false);
  });
});
