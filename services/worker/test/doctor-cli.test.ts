import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type EngineInfoOverride, startEngineInfoOverride } from './fixtures/doctor/engine-info-override';
import { StandinWorld } from './fixtures/cluster-standins/standin-world';

/**
 * `npm run doctor` as a process: the built CLI with a PATH that holds only stand-in kind, kubectl
 * and helm (each prints a version), a stand-in /proc/sys/fs/inotify, the REAL Docker engine, and
 * the stand-in runner for RUNNER_COMMAND --list-problems. The images the engine holds are this
 * test's own tags (world.tagImages); only `docker info` is overlaid with what this machine is not
 * (cgroup v2 with the systemd driver, 64 GiB and 16 CPUs), through a socket of the test's own
 * (fixtures/doctor/engine-info-override.ts). Build first (npm run build); `npm test` does.
 */
const CLI = path.resolve(__dirname, '../dist/doctor/doctor-cli.js');
const LIST_RUNNER = path.resolve(__dirname, 'fixtures/cluster-standins/list-problems-runner.js');
const GiB = 1024 ** 3;

interface ToolVersions {
  kind?: string;
  kubectl?: string;
  helm?: string;
}

const NEW_TOOLS: ToolVersions = { kind: 'kind v0.27.0 go1.23.4 linux/amd64', kubectl: 'Client Version: v1.32.3\nKustomize Version: v5.5.0', helm: 'v3.17.3+ge4da497' };
const OLD_TOOLS: ToolVersions = { kind: 'kind v0.20.0 go1.20.4 linux/amd64', kubectl: 'Client Version: v1.29.0', helm: 'Client: v2.17.0+ga690bad' };

let root: string;
let engine: EngineInfoOverride | null = null;
let world: StandinWorld;
/** KIND_NODE_IMAGE: a tag of this test's, so whether the shared engine holds it is the test's doing. */
let NODE_IMAGE: string;
/** The preload list's images (written fully qualified, docker.io/..., as the engine resolves them). */
let LISTED_IMAGES: string[];

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
});

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'doctor-cli-'));
  world = new StandinWorld([], { engine: true });
  NODE_IMAGE = world.image('kind-node:v1.32.1');
  LISTED_IMAGES = [world.image('social-network-microservices:latest'), world.image('memcached:1.6.7'), world.image('mongo:4.4.6')];
});

afterEach(async () => {
  await engine?.close();
  engine = null;
  world.cleanup();
  await rm(root, { recursive: true, force: true });
});

/** A bin directory holding only the given tools, each a shell script that prints its version (builtins only: PATH is this directory). */
async function toolsOnPath(tools: ToolVersions): Promise<string> {
  const bin = path.join(root, 'bin');
  await mkdir(bin, { recursive: true });
  for (const [tool, output] of Object.entries(tools)) {
    const file = path.join(bin, tool);
    await writeFile(file, `#!/bin/sh\nprintf '%s\\n' '${output}'\n`);
    await chmod(file, 0o755);
  }
  return bin;
}

async function inotifyDir(instances: number, watches: number): Promise<string> {
  const dir = path.join(root, 'proc-sys-fs-inotify');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'max_user_instances'), `${instances}\n`);
  await writeFile(path.join(dir, 'max_user_watches'), `${watches}\n`);
  return dir;
}

/** Puts the images into the real engine (this test's tags) and returns a DOCKER_HOST for it with `docker info` overlaid. */
async function startEngine(images: readonly string[], info: Record<string, unknown> = {}): Promise<string> {
  world.tagImages([...images]);
  const socketPath = path.join(root, 'docker.sock');
  engine = await startEngineInfoOverride(
    socketPath,
    // DockerRootDir is the engine host's path: one that does not exist here is reported as not measured.
    { CgroupVersion: '2', CgroupDriver: 'systemd', DockerRootDir: path.join(root, 'no-such-docker-root'), MemTotal: 64 * GiB, NCPU: 16, ...info },
  );
  return `unix://${socketPath}`;
}

async function hostEnv(settings: Record<string, string>): Promise<Record<string, string>> {
  const imageList = path.join(root, 'images.txt');
  await writeFile(imageList, `// the union list, as upstream writes it\n${LISTED_IMAGES.map((image) => `docker.io/${image}`).join('\n')}\n`);
  return {
    HOME: root,
    CLUSTER_PROVIDER: 'kind',
    KIND_NODE_IMAGE: NODE_IMAGE,
    WORK_DIR: path.join(root, 'work'),
    KIND_PRELOAD_IMAGES_FILE: imageList,
    RUNNER_COMMAND: `${process.execPath} ${LIST_RUNNER}`,
    RUNNER_ENV_PASSTHROUGH: 'PATH,HOME,STANDIN_*,*_API_KEY',
    ...settings,
  };
}

function runDoctor(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

const statuses = (stdout: string) => Object.fromEntries((JSON.parse(stdout) as { checks: { id: string; status: string }[] }).checks.map((c) => [c.id, c.status]));

describe('npm run doctor', () => {
  it('on a host that is ready for one Kind worker (the real engine holds the node and preload images), every check passes and it exits 0', async () => {
    const env = await hostEnv({
      PATH: await toolsOnPath(NEW_TOOLS),
      DOCKER_HOST: await startEngine([NODE_IMAGE, ...LISTED_IMAGES]),
      DOCTOR_INOTIFY_DIR: await inotifyDir(512, 524_288),
      DOCTOR_AGENTS: 'gpt',
      OPENAI_API_KEY: 'sk-test-not-printed',
    });
    const { code, stdout, stderr } = await runDoctor(['--json'], env);
    expect(stderr).toBe('');
    expect(statuses(stdout)).toEqual({
      'cluster-provider': 'ok', docker: 'ok', cgroup: 'ok', kind: 'ok', kubectl: 'ok', helm: 'ok', inotify: 'ok', memory: 'ok', cpu: 'ok',
      'disk-work-dir': 'ok', 'disk-docker-root': 'skip', 'node-image': 'ok', 'preload-images': 'ok', runner: 'ok', 'llm-key:gpt': 'ok',
    });
    // the answers are the real engine's: its version, and the images this test tagged in it
    const checks = (JSON.parse(stdout) as { checks: { id: string; detail: string }[] }).checks;
    expect(checks.find((c) => c.id === 'docker')?.detail).toContain(`Docker ${world.docker('version', '--format', '{{.Server.Version}}').trim()} at unix://`);
    expect(checks.find((c) => c.id === 'node-image')?.detail).toBe(`${NODE_IMAGE} is in the Docker engine`);
    expect(stdout).not.toContain('sk-test-not-printed');
    expect(code).toBe(0);
  });

  it('with old tools, a small inotify budget for two workers, images missing for the chosen app and a broken runner, prints each fix and exits 1', async () => {
    const env = await hostEnv({
      PATH: await toolsOnPath(OLD_TOOLS),
      DOCKER_HOST: await startEngine([LISTED_IMAGES[0]], { CgroupDriver: 'cgroupfs' }),
      DOCTOR_INOTIFY_DIR: await inotifyDir(128, 8192),
      DOCTOR_WORKERS: '2',
      STANDIN_LIST_MODE: 'crash',
      KIND_PRELOAD_IMAGES_FILE: '', // the manifest's selection, as npm run images:pull makes it
      KIND_PRELOAD_APPS: 'hotel_reservation',
    });
    const { code, stdout } = await runDoctor([], env);
    expect(stdout).toMatch(/FAIL\s+kind\s+v0\.20\.0 is older than v0\.27\.0/);
    expect(stdout).toMatch(/FAIL\s+kubectl\s+v1\.29\.0 is older than v1\.31\.0/);
    expect(stdout).toMatch(/FAIL\s+helm\s+v2\.17\.0 is older than v3\.0\.0/);
    expect(stdout).toContain('https://kind.sigs.k8s.io/dl/v0.27.0/kind-linux-');
    expect(stdout).toMatch(/FAIL\s+inotify limits\s+max_user_instances=128, max_user_watches=8192; need 1024 instances \/ 1048576 watches for 2 workers/);
    expect(stdout).toContain('sudo sysctl -w fs.inotify.max_user_instances=1024');
    expect(stdout).toContain('sudo tee /etc/sysctl.d/99-aiopslab-kind.conf');
    expect(stdout).toMatch(/WARN\s+cgroup\s+cgroup v2, driver cgroupfs/);
    expect(stdout).toMatch(new RegExp(`FAIL\\s+Kind node image\\s+${NODE_IMAGE.replace(/[.]/g, '\\.')} \\(KIND_NODE_IMAGE\\) is not in the Docker engine`));
    expect(stdout).toMatch(/WARN\s+preload images\s+\d+ of \d+ images \(manifest, KIND_PRELOAD_APPS=hotel_reservation\) missing from the Docker engine: /);
    expect(stdout).toContain('    npm run images:pull');
    expect(stdout).toMatch(/FAIL\s+AIOpsLab runner\s+AIOpsLab does not import/);
    expect(stdout).toMatch(/WARN\s+agent gpt\s+OPENAI_API_KEY not set/);
    expect(stdout).toMatch(/\d+ failed, \d+ warnings/);
    expect(code).toBe(1);
  });

  it('on a machine without Docker or kind, says so plainly with the fixes and exits 1 without crashing', async () => {
    const env = await hostEnv({
      PATH: await toolsOnPath({}),
      DOCKER_HOST: `unix://${path.join(root, 'closed.sock')}`,
      DOCTOR_INOTIFY_DIR: await inotifyDir(512, 524_288),
      RUNNER_PREFLIGHT: 'false',
    });
    const { code, stdout, stderr } = await runDoctor(['--json'], env);
    expect(stderr).toBe('');
    const report = JSON.parse(stdout) as { checks: { id: string; status: string; detail: string; fix: string | null }[] };
    const byId = Object.fromEntries(report.checks.map((check) => [check.id, check]));
    expect(byId.docker.status).toBe('fail');
    expect(byId.docker.detail).toContain(`not reachable at unix://${path.join(root, 'closed.sock')}`);
    expect(byId.docker.fix).toContain('start Docker');
    expect(byId.docker.fix).toContain('DOCKER_HOST=');
    for (const id of ['cgroup', 'disk-docker-root', 'node-image', 'preload-images', 'runner']) expect(byId[id].status).toBe('skip');
    expect(byId.kind).toMatchObject({ status: 'fail', detail: 'not on PATH (needed: v0.27.0 or later)' });
    expect(byId.kind.fix).toContain('kind.sigs.k8s.io/dl/v0.27.0');
    expect(byId.helm.fix).toContain('get-helm-3');
    expect(code).toBe(1);
  });

  it('refuses a bad DOCTOR_WORKERS with exit 2, naming the variable', async () => {
    const env = await hostEnv({ PATH: await toolsOnPath({}), DOCTOR_WORKERS: 'several' });
    const { code, stdout, stderr } = await runDoctor([], env);
    expect(stdout).toBe('');
    expect(stderr).toContain('DOCTOR_WORKERS');
    expect(code).toBe(2);
  });
});
