import { access, constants } from 'node:fs/promises';
import type Docker from 'dockerode';
import { findExecutable } from './command-runner';
import { ClusterError } from './cluster-errors';

/** What to install for each executable a provider needs. */
const INSTALL_HINTS: Record<string, string> = {
  kind: 'install kind (v0.27.0 or later, as AIOpsLab uses: https://kind.sigs.k8s.io/docs/user/quick-start/#installation)',
  kubectl: 'install kubectl (https://kubernetes.io/docs/tasks/tools/)',
  docker: 'install the docker CLI (kind drives Docker through it)',
  helm: 'install helm v3 (https://helm.sh/docs/intro/install/; the Kind warm-up installs Prometheus with it), or set KIND_WARM=false',
};

const ALTERNATIVES: Record<string, string> = {
  kind: 'or choose CLUSTER_PROVIDER=existing (with EXISTING_KUBECONFIG) or CLUSTER_PROVIDER=none (no cluster, for dry runs)',
  existing: 'or choose CLUSTER_PROVIDER=none (no cluster, for dry runs)',
};

/** Collects what is missing, then throws once with every item and the alternatives. */
export class PrerequisiteReport {
  private readonly missing: string[] = [];

  constructor(private readonly provider: 'kind' | 'existing') {}

  add(problem: string): void {
    this.missing.push(problem);
  }

  async requireExecutables(names: string[], pathVariable: string | undefined): Promise<void> {
    for (const name of names) {
      if (!(await findExecutable(name, pathVariable))) this.add(`${name} is not on PATH: ${INSTALL_HINTS[name] ?? `install ${name}`}`);
    }
  }

  async requireReadableFile(file: string, variable: string): Promise<boolean> {
    try {
      await access(file, constants.R_OK);
      return true;
    } catch {
      this.add(`${variable}=${file} does not exist or is not readable`);
      return false;
    }
  }

  async requireDocker(docker: Docker): Promise<void> {
    try {
      await docker.ping();
    } catch (error) {
      // docker-modem's default socketPath is a function that resolves to the socket it picks.
      const modem = docker.modem as unknown as { socketPath?: string | (() => Promise<string>); host?: string };
      const socket = typeof modem.socketPath === 'function' ? await modem.socketPath().catch(() => undefined) : modem.socketPath;
      const where = socket ? `at ${socket}` : `at ${modem.host ?? 'DOCKER_HOST'}`;
      this.add(`the Docker Engine is not reachable ${where} (${(error as Error).message}): start Docker, or mount /var/run/docker.sock into the worker container`);
    }
  }

  throwIfMissing(): void {
    if (this.missing.length === 0) return;
    throw new ClusterError(
      'cluster_prerequisite_missing',
      `CLUSTER_PROVIDER=${this.provider} cannot start:\n  - ${this.missing.join('\n  - ')}\n  ${ALTERNATIVES[this.provider]}`,
      { extra: { missing: [...this.missing] } },
    );
  }
}
