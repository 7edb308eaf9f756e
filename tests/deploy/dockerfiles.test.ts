import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './support/compose';
import { DockerIgnore } from './support/dockerignore';
import { Dockerfile, execForm, expandArgs, parseCopy, parseDockerfile, section } from './support/dockerfile';

const SERVICES = ['api', 'worker', 'history'] as const;
const dockerfiles = Object.fromEntries(SERVICES.map((s) => [s, parseDockerfile(path.join(ROOT, `services/${s}/Dockerfile`))])) as Record<(typeof SERVICES)[number], Dockerfile>;
const BUILD_START = '# ---- build (shared by api, worker, history)';
const BUILD_END = '# ---- end of build';

const finalStage = (file: Dockerfile) => file.stages[file.stages.length - 1];
const instructions = (file: Dockerfile, keyword: string) => finalStage(file).instructions.filter((i) => i.keyword === keyword);
const last = (file: Dockerfile, keyword: string) => instructions(file, keyword).at(-1);
/** The final stage and the stages it is built FROM, innermost last. */
const lineage = (file: Dockerfile) => {
  const chain = [finalStage(file)];
  for (let parent = file.stages.find((s) => s.name === chain[0].base); parent; parent = file.stages.find((s) => s.name === parent!.base)) chain.unshift(parent);
  return chain;
};

describe('service Dockerfiles', () => {
  test('the workspace build stage is byte-identical in the three Dockerfiles (one BuildKit cache for all images)', () => {
    const stages = SERVICES.map((s) => section(dockerfiles[s].text, BUILD_START, BUILD_END));
    expect(new Set(stages).size).toBe(1);
    for (const s of SERVICES) {
      expect(dockerfiles[s].stages[0].name).toBe('build');
      expect(finalStage(dockerfiles[s]).name).toBe('runtime');
    }
  });

  test.each(SERVICES)('%s: every base image is pinned to a version (no latest, no bare name)', (service) => {
    const file = dockerfiles[service];
    const stageNames = new Set(file.stages.map((s) => s.name));
    for (const stage of file.stages) {
      const image = expandArgs(stage.base, file.globalArgs);
      if (stageNames.has(image)) continue;
      expect(image).toMatch(/^[\w./-]+:[\w.-]*\d[\w.-]*$/);
      expect(image).not.toMatch(/:latest$/);
    }
  });

  test.each(SERVICES)('%s: runtime runs node services/%s/dist/main.js under tini as PID 1, with a HEALTHCHECK', (service) => {
    const file = dockerfiles[service];
    const entrypoint = execForm(last(file, 'ENTRYPOINT')!.args);
    expect(entrypoint.slice(0, 2)).toEqual(['/usr/bin/tini', '--']);
    // The V8 flags the service ships with are the ones its package.json names (nodeOptions).
    const nodeOptions: string[] = JSON.parse(fs.readFileSync(path.join(ROOT, `services/${service}/package.json`), 'utf8')).nodeOptions ?? [];
    expect(execForm(last(file, 'CMD')!.args)).toEqual(['node', ...nodeOptions, `services/${service}/dist/main.js`]);
    const health = last(file, 'HEALTHCHECK')!.args;
    const command = execForm(health.slice(health.indexOf('CMD')));
    expect(command[0]).toBe('node');
    expect(command.join(' ')).toContain('/health');
    const runs = lineage(file).flatMap((stage) => stage.instructions.filter((i) => i.keyword === 'RUN'));
    expect(runs.some((i) => /apt-get install[^&]*\btini\b/.test(i.args))).toBe(true);
    // The runtime image carries production dependencies and built output only.
    const fromBuild = instructions(file, 'COPY').map(parseCopy).filter((c) => c.from === 'build');
    const sources = fromBuild.flatMap((c) => c.sources);
    expect(sources).toEqual(expect.arrayContaining(['/app/node_modules', '/app/shared/dist', `/app/services/${service}/dist`, '/app/prisma/migrations']));
    expect(sources.some((s) => /\/src(\/|$)/.test(s) || s.endsWith('.ts'))).toBe(false);
  });

  test('api and history run as an unprivileged user; the worker drops to one in its entrypoint', () => {
    for (const service of ['api', 'history'] as const) expect(last(dockerfiles[service], 'USER')!.args).toBe('node');
    const worker = dockerfiles.worker;
    expect(last(worker, 'USER')).toBeUndefined();
    expect(execForm(last(worker, 'ENTRYPOINT')!.args)).toEqual(['/usr/bin/tini', '--', '/usr/local/bin/worker-entrypoint']);
    const entrypoint = fs.readFileSync(path.join(ROOT, 'deploy/worker/entrypoint.sh'), 'utf8');
    expect(entrypoint).toMatch(/exec setpriv --reuid="\$SERVICE_UID"/);
    expect(worker.text).toMatch(/useradd --uid 10001/);
  });

  test('the worker image has Python 3.11, AIOpsLab at a pinned commit with submodules, kind v0.27.0, kubectl, helm, docker CLI, tiktoken cache, the runner', () => {
    const worker = dockerfiles.worker;
    const stage = (name: string) => worker.stages.find((s) => s.name === name)!;
    const args = (name: string) => Object.fromEntries(stage(name).instructions.filter((i) => i.keyword === 'ARG').map((i) => i.args.split('=') as [string, string]));
    const runs = (name: string) => stage(name).instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');

    expect(runs('python-base')).toMatch(/apt-get install[^\n]*\bpython3\.11\b/);
    expect(args('aiopslab').AIOPSLAB_COMMIT).toMatch(/^[0-9a-f]{7,40}$/);
    expect(runs('aiopslab')).toContain('git checkout --detach "${AIOPSLAB_COMMIT}"');
    expect(runs('aiopslab')).toContain('git submodule update --init --recursive');
    expect(runs('aiopslab')).toMatch(/poetry install --only main --no-root/); // not the clients group (vllm, CUDA)
    expect(runs('aiopslab')).toContain('"groq==${GROQ_VERSION}"');
    expect(runs('aiopslab')).toMatch(/tiktoken\.get_encoding/);
    expect(args('tools').KIND_VERSION).toBe('v0.27.0');
    expect(args('tools').KUBECTL_VERSION).toMatch(/^v1\.\d+\.\d+$/);
    expect(args('tools').HELM_VERSION).toMatch(/^v3\.\d+\.\d+$/);
    expect(runs('tools').match(/sha256sum -c -/g)).toHaveLength(3);

    const env = instructions(worker, 'ENV').map((i) => i.args).join(' ');
    expect(env).toContain('RUNNER_COMMAND=/app/services/worker/runner/bin/aiopslab-runner');
    expect(env).toContain('TIKTOKEN_CACHE_DIR=/opt/tiktoken-cache');
    expect(env).toContain('PYTHONPATH=/opt/aiopslab');
    expect(env).toContain('CLUSTER_PROVIDER=kind');
    const copies = instructions(worker, 'COPY').map(parseCopy);
    const copied = (from: string, source: string) => copies.some((c) => c.from === from && c.sources.includes(source));
    expect(copied('docker-cli', '/usr/local/bin/docker')).toBe(true);
    expect(copied('tools', '/out/')).toBe(true);
    expect(copied('aiopslab', '/opt/aiopslab')).toBe(true);
    expect(copied('aiopslab', '/opt/tiktoken-cache')).toBe(true);
    expect(copied('build', '/app/services/worker/runner/bin')).toBe(true);
    expect(copied('build', '/app/services/worker/runner/aiopslab_runner')).toBe(true);
    expect(fs.existsSync(path.join(ROOT, 'services/worker/runner/bin/aiopslab-runner'))).toBe(true);
    // The runtime's Python is the one the virtualenv was built with.
    expect(stage('aiopslab').base).toBe('python-base');
    expect(finalStage(worker).base).toBe('python-base');
    expect(finalStage(worker).instructions.some((i) => i.keyword === 'RUN' && i.args.includes('mkdir -p /var/lib/aiopslab-worker /run/udev'))).toBe(true);
  });

  test('.dockerignore keeps local outputs, credentials and unrelated trees out of the context', () => {
    const ignore = DockerIgnore.load(ROOT);
    for (const excluded of ['node_modules', 'services/api/node_modules/x', 'services/worker/dist/main.js', 'shared/dist/db/migrate-cli.js', 'shared/tsconfig.tsbuildinfo', 'shared/src/db/generated/client.ts', '.git/HEAD', '.env', 'k8s/overlays/production/api-tokens.env', 'tests/deploy/compose.test.ts', 'services/worker/runner/aiopslab_runner/__pycache__/x.pyc']) {
      expect({ excluded, result: ignore.excludes(excluded) }).toEqual({ excluded, result: true });
    }
    for (const included of ['package.json', 'package-lock.json', 'shared/src/db/migrator.ts', 'prisma/schema.prisma', 'services/worker/runner/bin/aiopslab-runner', 'deploy/worker/entrypoint.sh', '.env.example', 'scripts/prisma-generate.js']) {
      expect({ included, result: ignore.excludes(included) }).toEqual({ included, result: false });
    }
  });
});
