import type Docker from 'dockerode';

/** The fields of `docker info` (GET /info) the doctor reads. */
export interface DockerEngineInfo {
  ServerVersion?: string;
  CgroupDriver?: string;
  CgroupVersion?: string;
  DockerRootDir?: string;
  MemTotal?: number;
  NCPU?: number;
}

export type DockerEngineProbe = { reachable: true; info: DockerEngineInfo } | { reachable: false; error: string; code?: string };

/** Where dockerode connects, as the worker's `new Docker()` does: DOCKER_HOST, else the default socket. */
export function describeDockerEndpoint(env: Record<string, string | undefined>): string {
  return env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}

/** GET /info through the worker's own client; never throws. */
export async function probeDockerEngine(docker: Docker | (() => Docker)): Promise<DockerEngineProbe> {
  try {
    const client = typeof docker === 'function' ? docker() : docker;
    return { reachable: true, info: (await client.info()) as DockerEngineInfo };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { statusCode?: number };
    return { reachable: false, error: failure.message, code: failure.code ?? (failure.statusCode ? `HTTP ${failure.statusCode}` : undefined) };
  }
}
