import { type HostCheck, ok, problem, skip } from './host-check';
import type { DockerEngineProbe } from './docker-engine';

const DOCKER = 'docker';
const CGROUP = 'cgroup';

/** Is the engine the worker would use reachable? The fix depends on why not. */
export function checkDockerReachable(probe: DockerEngineProbe, endpoint: string): HostCheck {
  if (probe.reachable) return ok(DOCKER, 'Docker engine', `Docker ${probe.info.ServerVersion ?? '(unknown version)'} at ${endpoint}`);
  if (probe.code === 'EACCES') {
    return problem(DOCKER, 'Docker engine', 'fail', `permission denied on ${endpoint}`, 'sudo usermod -aG docker "$USER" (then log in again), or run the doctor as a user in the docker group');
  }
  return problem(
    DOCKER,
    'Docker engine',
    'fail',
    `not reachable at ${endpoint}: ${probe.error}`,
    'start Docker (sudo systemctl start docker), or set DOCKER_HOST to the engine the workers use (e.g. DOCKER_HOST=unix:///var/run/docker.sock)',
  );
}

/**
 * kind's known issues: cgroup v2 hosts need Kubernetes >= 1.19 (the nodes run 1.32.1, fine); cgroup
 * v1 is deprecated in Kubernetes (the kubelet refuses it by default from 1.35) and kind warns about
 * it. On cgroup v2, Docker and Kubernetes recommend the systemd driver, so that one manager owns
 * the cgroup tree.
 */
export function checkCgroup(probe: DockerEngineProbe): HostCheck {
  if (!probe.reachable) return skip(CGROUP, 'cgroup', 'Docker engine not reachable');
  const version = probe.info.CgroupVersion ?? '';
  const driver = probe.info.CgroupDriver ?? '(unknown)';
  const detail = `cgroup v${version || '?'}, driver ${driver}`;
  if (version === '1') {
    return problem(
      CGROUP,
      'cgroup',
      'warn',
      `${detail}: kind still runs the v1.32 nodes here, but cgroup v1 is deprecated in Kubernetes and kind`,
      'boot the host with cgroup v2 (kernel parameter systemd.unified_cgroup_hierarchy=1, then reboot)',
    );
  }
  if (version !== '2') {
    return problem(CGROUP, 'cgroup', 'warn', `${detail}: this Docker does not report its cgroup version`, 'upgrade Docker (kind is tested with a recent docker-ce)');
  }
  if (driver !== 'systemd') {
    return problem(
      CGROUP,
      'cgroup',
      'warn',
      `${detail}: on cgroup v2 Docker and Kubernetes recommend the systemd driver`,
      'add "exec-opts": ["native.cgroupdriver=systemd"] to /etc/docker/daemon.json, then sudo systemctl restart docker',
    );
  }
  return ok(CGROUP, 'cgroup', detail);
}
