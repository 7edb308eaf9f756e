import { checkCgroup, checkDockerReachable } from './docker-checks';
import type { DockerEngineProbe } from './docker-engine';

const engine = (info: Record<string, unknown>): DockerEngineProbe => ({ reachable: true, info });

describe('checkDockerReachable', () => {
  it('names the engine version and where it answered', () => {
    const check = checkDockerReachable(engine({ ServerVersion: '27.5.1' }), 'unix:///var/run/docker.sock');
    expect(check).toMatchObject({ status: 'ok', detail: 'Docker 27.5.1 at unix:///var/run/docker.sock', fix: null });
  });

  it('when the socket refuses, fails with how to start Docker or point DOCKER_HOST at it', () => {
    const check = checkDockerReachable({ reachable: false, error: 'connect ECONNREFUSED /tmp/x.sock', code: 'ECONNREFUSED' }, 'unix:///tmp/x.sock');
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('not reachable at unix:///tmp/x.sock');
    expect(check.fix).toContain('DOCKER_HOST=');
  });

  it('when permission is denied, the fix is the docker group', () => {
    const check = checkDockerReachable({ reachable: false, error: 'connect EACCES /var/run/docker.sock', code: 'EACCES' }, 'unix:///var/run/docker.sock');
    expect(check.fix).toContain('usermod -aG docker');
  });
});

describe('checkCgroup', () => {
  it('accepts cgroup v2 with the systemd driver', () => {
    expect(checkCgroup(engine({ CgroupVersion: '2', CgroupDriver: 'systemd' })).status).toBe('ok');
  });

  it('warns on cgroup v2 with cgroupfs and gives the daemon.json setting', () => {
    const check = checkCgroup(engine({ CgroupVersion: '2', CgroupDriver: 'cgroupfs' }));
    expect(check.status).toBe('warn');
    expect(check.fix).toContain('native.cgroupdriver=systemd');
  });

  it('warns on cgroup v1 (deprecated in Kubernetes and kind) with the kernel parameter for v2', () => {
    const check = checkCgroup(engine({ CgroupVersion: '1', CgroupDriver: 'cgroupfs' }));
    expect(check.status).toBe('warn');
    expect(check.fix).toContain('systemd.unified_cgroup_hierarchy=1');
  });

  it('is skipped when the engine cannot be reached', () => {
    expect(checkCgroup({ reachable: false, error: 'down' }).status).toBe('skip');
  });
});
