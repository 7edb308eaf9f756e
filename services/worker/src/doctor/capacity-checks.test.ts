import os from 'node:os';
import path from 'node:path';
import { checkCpus, checkDisk, checkMemory, DOCKER_ROOT_DISK, probeFreeDisk, WORK_DIR_DISK } from './capacity-checks';

const GiB = 1024 ** 3;
const size = (memoryGiB: number, cpus: number) => ({ memoryBytes: memoryGiB * GiB, cpus, source: 'Docker engine' });

describe('checkMemory', () => {
  it('fails below 8 GiB per worker and says how many workers fit', () => {
    const check = checkMemory(size(24, 16), 4);
    expect(check.status).toBe('fail');
    expect(check.fix).toContain('DOCTOR_WORKERS=3');
  });

  it('warns between 8 and 16 GiB per worker', () => {
    expect(checkMemory(size(12, 4), 1).status).toBe('warn');
  });

  it('passes at 16 GiB per worker', () => {
    expect(checkMemory(size(32, 8), 2).status).toBe('ok');
  });
});

describe('checkCpus', () => {
  it('fails below 2 CPUs per worker, warns below 4, passes at 4', () => {
    expect(checkCpus(size(64, 3), 2).status).toBe('fail');
    expect(checkCpus(size(64, 2), 1).status).toBe('warn');
    expect(checkCpus(size(64, 8), 2).status).toBe('ok');
  });
});

describe('checkDisk', () => {
  const measured = (freeGiB: number) => ({ measured: true as const, freeBytes: freeGiB * GiB, measuredAt: '/var/lib/docker' });

  it("fails below 15 GiB per worker under Docker's data root, with the prune command", () => {
    const check = checkDisk(DOCKER_ROOT_DISK('/var/lib/docker'), measured(20), 2);
    expect(check.status).toBe('fail');
    expect(check.fix).toContain('docker system prune');
  });

  it('warns below twice the minimum and passes above', () => {
    expect(checkDisk(DOCKER_ROOT_DISK('/var/lib/docker'), measured(20), 1).status).toBe('warn');
    expect(checkDisk(WORK_DIR_DISK('/srv/work'), measured(5), 1).status).toBe('ok');
  });

  it('is skipped, with the df command, when the directory cannot be measured from here', () => {
    const check = checkDisk(DOCKER_ROOT_DISK('/var/lib/docker'), { measured: false, reason: 'ENOENT' }, 1);
    expect(check.status).toBe('skip');
    expect(check.detail).toContain('df -h /var/lib/docker');
  });
});

describe('probeFreeDisk', () => {
  it('measures a WORK_DIR that does not exist yet at its nearest existing parent', async () => {
    const probe = await probeFreeDisk(path.join(os.tmpdir(), 'not-created-yet', 'work'), true);
    expect(probe).toMatchObject({ measured: true, measuredAt: os.tmpdir() });
  });

  it("does not walk up from a missing Docker data root (it is the engine host's path)", async () => {
    const probe = await probeFreeDisk(path.join(os.tmpdir(), 'no-such-docker-root'), false);
    expect(probe.measured).toBe(false);
  });
});
