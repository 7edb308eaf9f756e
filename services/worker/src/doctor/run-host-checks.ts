import os from 'node:os';
import type Docker from 'dockerode';
import type { Logger } from '@aiopslab/shared/logging/logger';
import { createCommandRunner, type CommandRunner } from '../clusters/command-runner';
import { isInEngine } from '../clusters/image-preload';
import type { PreloadSelection } from '../clusters/preload-selection';
import type { WorkerSettings } from '../config';
import { checkCpus, checkDisk, checkMemory, DOCKER_ROOT_DISK, type HostSize, probeFreeDisk, WORK_DIR_DISK } from './capacity-checks';
import { checkCgroup, checkDockerReachable } from './docker-checks';
import { describeDockerEndpoint, type DockerEngineProbe, probeDockerEngine } from './docker-engine';
import type { DoctorPlan } from './doctor-config';
import { type HostCheck, ok, problem, skip } from './host-check';
import { checkNodeImage, checkPreloadImages, type ImageListProbe, missingImages } from './image-checks';
import { imagesWanted, preloadSelectionOf, pullCommand } from './image-source';
import { checkInotify, readInotifyLimits } from './inotify-check';
import { checkLlmKeys } from './llm-key-checks';
import { checkRunner, probeRunner } from './runner-check';
import { checkTool, probeTool, type ToolName } from './tool-checks';

export const CHECK_IDS = [
  'cluster-provider', 'docker', 'cgroup', 'kind', 'kubectl', 'helm', 'inotify', 'memory', 'cpu',
  'disk-work-dir', 'disk-docker-root', 'node-image', 'preload-images', 'runner', 'llm-keys',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

/**
 * Checks that take well under a second together (one GET /info, one image inspection, three
 * `version` commands, a few file reads): cheap enough for every worker start. Left out: the
 * image list (hundreds of inspections) and the runner (imports AIOpsLab: seconds to a minute,
 * and the worker's own preflight already runs it).
 */
export const CHEAP_CHECKS: readonly CheckId[] = CHECK_IDS.filter((id) => id !== 'preload-images' && id !== 'runner');

export interface HostCheckDeps {
  /** The worker's settings, from loadWorkerSettings (the same loader the worker uses). */
  settings: WorkerSettings;
  plan: DoctorPlan;
  /** The worker's environment: its PATH picks kind, kubectl and helm; keys are looked up here. */
  env: Record<string, string | undefined>;
  /** The worker's Docker client; a function defers construction (a bad DOCKER_HOST throws there). */
  docker: Docker | (() => Docker);
  logger: Logger;
  /** Runs kind/kubectl/helm; default: the worker's execFile runner with `env`. */
  run?: CommandRunner;
  /** Node's process.arch, for the install commands. */
  arch?: string;
  signal?: AbortSignal;
}

/** Runs the chosen checks (default: all) and returns them in CHECK_IDS order. Never throws. */
export async function runHostChecks(deps: HostCheckDeps, options: { only?: readonly CheckId[] } = {}): Promise<HostCheck[]> {
  const wanted = (id: CheckId) => !options.only || options.only.includes(id);
  const { env: workerEnv } = deps.settings;
  const engineNeeded = (['docker', 'cgroup', 'memory', 'cpu', 'disk-docker-root', 'node-image', 'preload-images'] as const).some(wanted);
  const engine: DockerEngineProbe = engineNeeded ? await probeDockerEngine(deps.docker) : { reachable: false, error: 'not probed' };
  const client = () => (typeof deps.docker === 'function' ? deps.docker() : deps.docker);
  const size = hostSize(engine);
  const run = deps.run ?? createCommandRunner(deps.env);
  const tools = (['kind', 'kubectl', 'helm'] as const).filter(wanted);

  const [toolChecks, inotify, workDisk, dockerDisk, nodeImage, preload, runner] = await Promise.all([
    Promise.all(tools.map(async (tool: ToolName) => checkTool(tool, await probeTool(run, tool), deps.arch ?? process.arch))),
    wanted('inotify') ? readInotifyLimits(deps.plan.inotifyDir).then((probe) => checkInotify(probe, deps.plan.workers)) : null,
    wanted('disk-work-dir') ? probeFreeDisk(workerEnv.WORK_DIR, true).then((probe) => checkDisk(WORK_DIR_DISK(workerEnv.WORK_DIR), probe, deps.plan.workers)) : null,
    wanted('disk-docker-root') ? dockerRootDiskCheck(engine, describeDockerEndpoint(deps.env), deps.plan.workers) : null,
    wanted('node-image') ? ifEngine(engine, 'node-image', 'Kind node image', async () => checkNodeImage(workerEnv.KIND_NODE_IMAGE, await isInEngine(client(), workerEnv.KIND_NODE_IMAGE))) : null,
    wanted('preload-images') ? ifEngine(engine, 'preload-images', 'preload images', async () => checkPreloadImages(await probeImageList(client(), preloadSelectionOf({ listFile: workerEnv.KIND_PRELOAD_IMAGES_FILE, apps: workerEnv.KIND_PRELOAD_APPS })), workerEnv.KIND_PRELOAD_IMAGES)) : null,
    wanted('runner') ? runnerCheck(deps) : null,
  ]);

  const byId: Partial<Record<CheckId, HostCheck | HostCheck[] | null>> = {
    'cluster-provider': wanted('cluster-provider') ? checkClusterProvider(workerEnv.CLUSTER_PROVIDER) : null,
    docker: wanted('docker') ? checkDockerReachable(engine, describeDockerEndpoint(deps.env)) : null,
    cgroup: wanted('cgroup') ? checkCgroup(engine) : null,
    kind: toolChecks.find((check) => check.id === 'kind'),
    kubectl: toolChecks.find((check) => check.id === 'kubectl'),
    helm: toolChecks.find((check) => check.id === 'helm'),
    inotify,
    memory: wanted('memory') ? checkMemory(size, deps.plan.workers) : null,
    cpu: wanted('cpu') ? checkCpus(size, deps.plan.workers) : null,
    'disk-work-dir': workDisk,
    'disk-docker-root': dockerDisk,
    'node-image': nodeImage,
    'preload-images': preload,
    runner,
    'llm-keys': wanted('llm-keys')
      ? checkLlmKeys({ agents: deps.plan.agents, agentsChosen: deps.plan.agentsChosen, env: deps.env, runnerEnv: deps.settings.runnerEnv, passthrough: workerEnv.RUNNER_ENV_PASSTHROUGH })
      : null,
  };
  return CHECK_IDS.flatMap((id) => byId[id] ?? []);
}

/** The doctor checks a host for Kind workers; another provider is named, and the checks still run. */
export function checkClusterProvider(provider: string): HostCheck {
  if (provider === 'kind') return ok('cluster-provider', 'cluster provider', 'CLUSTER_PROVIDER=kind');
  return problem('cluster-provider', 'cluster provider', 'warn', `CLUSTER_PROVIDER=${provider}: a worker with these settings uses no Kind cluster; the checks below are for Kind workers`, 'CLUSTER_PROVIDER=kind (docker compose sets it for the worker service)');
}

function hostSize(engine: DockerEngineProbe): HostSize {
  if (engine.reachable && engine.info.MemTotal && engine.info.NCPU) return { memoryBytes: engine.info.MemTotal, cpus: engine.info.NCPU, source: 'Docker engine' };
  return { memoryBytes: os.totalmem(), cpus: os.availableParallelism(), source: 'this machine' };
}

async function ifEngine(engine: DockerEngineProbe, id: CheckId, name: string, check: () => Promise<HostCheck>): Promise<HostCheck> {
  return engine.reachable ? check() : skip(id, name, 'Docker engine not reachable');
}

/** Docker's data root is a path on the engine's host: measured only when the engine is local. */
async function dockerRootDiskCheck(engine: DockerEngineProbe, endpoint: string, workers: number): Promise<HostCheck> {
  if (!engine.reachable) return skip('disk-docker-root', 'disk: Docker data root', 'Docker engine not reachable');
  const dir = engine.info.DockerRootDir ?? '/var/lib/docker';
  if (!endpoint.startsWith('unix://')) return skip('disk-docker-root', 'disk: Docker data root', `the engine at ${endpoint} is not local; check with: docker system df`);
  return checkDisk(DOCKER_ROOT_DISK(dir), await probeFreeDisk(dir, false), workers);
}

async function probeImageList(docker: Docker, selection: PreloadSelection): Promise<ImageListProbe> {
  const source = selection.listFile ?? `manifest, KIND_PRELOAD_APPS=${selection.apps === 'all' ? 'all' : selection.apps?.join(',')}`;
  let wanted: string[];
  try {
    wanted = await imagesWanted(selection);
  } catch (error) {
    return { listed: false, source, error: (error as Error).message };
  }
  return { listed: true, source, pull: pullCommand(selection), wanted: wanted.length, missing: await missingImages(docker, wanted) };
}

async function runnerCheck(deps: HostCheckDeps): Promise<HostCheck> {
  const { env } = deps.settings;
  if (!env.RUNNER_PREFLIGHT) return checkRunner(null, env.RUNNER_COMMAND);
  const probe = await probeRunner({ runnerCommand: env.RUNNER_COMMAND, env: { ...deps.settings.runnerEnv }, cwd: env.WORK_DIR, timeoutMs: deps.plan.runnerTimeoutMs, logger: deps.logger, signal: deps.signal });
  return checkRunner(probe, env.RUNNER_COMMAND);
}
