import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadApiConfig } from '../../services/api/src/config';
import { defaultWorkerId, loadWorkerSettings } from '../../services/worker/src/config';
import { composeCli, COMPOSE_FILE, durationSeconds, environmentOf, interpolatedVariables, loadCompose, ROOT } from './support/compose';
import { passedToRunner, serviceEnvNames, WORKER_CONTAINER_ONLY, WORKER_REQUESTED } from './support/service-env';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { verifyRabbitPasswordHash } = require('../../deploy/rabbitmq/hash-password.js') as { verifyRabbitPasswordHash(password: string, hash: string): boolean };

const compose = loadCompose();
const services = compose.services;
const APP_SERVICES = ['api', 'worker', 'history', 'migrate'] as const;

/**
 * dclint (a devDependency: missing, this throws) on one file with the repository's .dclintrc.yml;
 * any warning fails too. Its problems as "line:column rule message".
 */
function dclint(file: string): { status: number | null; messages: string[] } {
  const bin = path.join(path.dirname(require.resolve('dclint/package.json')), 'bin', 'dclint.cjs');
  const args = [bin, '--config', path.join(ROOT, '.dclintrc.yml'), '--formatter', 'json', '--max-warnings', '0', file];
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: ROOT, timeout: 60_000 });
  let reports: { messages: { line: number; column: number; rule: string; message: string }[] }[];
  try {
    reports = JSON.parse(result.stdout);
  } catch {
    throw new Error(`dclint printed no report (exit ${result.status}): ${result.stderr || result.stdout}`);
  }
  return { status: result.status, messages: reports.flatMap((r) => r.messages.map((m) => `${m.line}:${m.column} ${m.rule} ${m.message}`)) };
}

function rabbitConf(): Record<string, string> {
  const text = fs.readFileSync(path.join(ROOT, 'deploy/rabbitmq/rabbitmq.conf'), 'utf8');
  return Object.fromEntries(
    text
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .filter(Boolean)
      .map((line) => line.split('=').map((part) => part.trim()) as [string, string]),
  );
}

describe('docker-compose.yml', () => {
  test('parses, has the whole system, and a compose CLI accepts it where one is installed', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'history', 'kind-images', 'kind-node-image', 'migrate', 'postgres', 'rabbitmq', 'worker']);
    // the Kind helpers run only with `--profile kind`
    expect([services['kind-images'].profiles, services['kind-node-image'].profiles]).toEqual([['kind'], ['kind']]);
    const cli = composeCli();
    if (cli) {
      const result = spawnSync(cli[0], [...cli.slice(1), '-f', COMPOSE_FILE, 'config', '--quiet'], { encoding: 'utf8', cwd: ROOT, timeout: 60_000 });
      expect(`${result.status} ${result.stderr}`).toBe('0 ');
    } else {
      // No compose CLI here (`docker compose` needs the plugin): the structural checks below are the validation.
      expect(spawnSync('docker', ['compose', 'version']).status).not.toBe(0);
    }
  });

  test('dclint accepts it: YAML, the Compose Specification schema and the rules of .dclintrc.yml', () => {
    expect(dclint(COMPOSE_FILE)).toEqual({ status: 0, messages: [] });
  });

  test('dclint checks the schema: a key the Compose Specification does not have is an error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dclint-'));
    const file = path.join(dir, 'docker-compose.yml');
    fs.writeFileSync(file, 'name: x\nservices:\n  app:\n    image: app:1.0\n    restart_policy: always\n');
    try {
      expect(dclint(file)).toEqual({ status: 1, messages: [expect.stringMatching(/^1:1 invalid-schema .*instancePath="\/services\/app".*must NOT have additional properties/)] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every service has a healthcheck, or a documented reason and dependants that wait for its completion', () => {
    for (const [name, service] of Object.entries(services)) {
      const exempt = service['x-healthcheck-exempt'];
      if (exempt) {
        expect(typeof exempt === 'string' && exempt.length > 20).toBe(true);
        for (const other of Object.values(services)) {
          const condition = other.depends_on?.[name]?.condition;
          if (condition) expect(condition).toBe('service_completed_successfully');
        }
        continue;
      }
      expect({ name, test: service.healthcheck?.test?.length > 0, disabled: service.healthcheck?.disable ?? false }).toEqual({ name, test: true, disabled: false });
    }
  });

  test('dependencies wait on health (or on successful completion of one-shot jobs)', () => {
    for (const [name, service] of Object.entries(services)) {
      const dependsOn = service.depends_on ?? {};
      expect(Array.isArray(dependsOn)).toBe(false); // the list form waits only for "started"
      for (const [dependency, spec] of Object.entries<any>(dependsOn)) {
        expect(services[dependency]).toBeDefined();
        const expected = services[dependency]['x-healthcheck-exempt'] ? 'service_completed_successfully' : 'service_healthy';
        expect({ name, dependency, condition: spec.condition }).toEqual({ name, dependency, condition: expected });
      }
    }
    for (const name of ['api', 'worker', 'history']) {
      expect(Object.keys(services[name].depends_on).sort()).toEqual(['migrate', 'postgres', 'rabbitmq']);
    }
  });

  test('images are pinned: no latest, a version in every tag, RabbitMQ 4 with management, PostgreSQL by major', () => {
    for (const [name, service] of Object.entries(services)) {
      const image: string = service.image;
      expect({ name, image: typeof image }).toEqual({ name, image: 'string' });
      const tag = image.includes(':') ? image.slice(image.lastIndexOf(':') + 1) : '';
      expect({ name, tag }).not.toEqual({ name, tag: '' });
      expect(tag).not.toMatch(/latest/);
      expect(tag).toMatch(/\d/);
    }
    expect(services.rabbitmq.image).toMatch(/^rabbitmq:4\.\d+(\.\d+)?-management$/);
    expect(services.postgres.image).toMatch(/^postgres:\d{2}(\.\d+)?(-[a-z]+)?$/);
  });

  test('each app image is built from its own Dockerfile in the repository root context', () => {
    const builds: Record<string, string> = { api: 'services/api/Dockerfile', migrate: 'services/api/Dockerfile', history: 'services/history/Dockerfile', worker: 'services/worker/Dockerfile' };
    for (const [name, dockerfile] of Object.entries(builds)) {
      expect(services[name].build).toEqual({ context: '.', dockerfile });
      expect(fs.existsSync(path.join(ROOT, dockerfile))).toBe(true);
    }
    expect(services.migrate.image).toBe(services.api.image);
    expect(services.migrate.command).toEqual(['node', 'shared/dist/db/migrate-cli.js']);
    expect(fs.existsSync(path.join(ROOT, 'shared/src/db/migrate-cli.ts'))).toBe(true);
  });

  test('the worker scales: no container_name, host ports or fixed hostname, and each replica derives its own WORKER_ID', () => {
    const worker = services.worker;
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(worker.hostname).toBeUndefined();
    expect(environmentOf(worker).WORKER_ID).toBeUndefined();
    // Docker gives each replica its container id as hostname; the worker's default id follows it.
    const ids = ['3f2a9c1d7e4b', '9b1c0d2e3f4a'].map(defaultWorkerId);
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) expect(() => loadWorkerSettings({ WORKER_ID: id })).not.toThrow();
    for (const [name, service] of Object.entries(services)) {
      expect({ name, container_name: service.container_name }).toEqual({ name, container_name: undefined });
    }
  });

  test('the worker reaches its Kind clusters: Docker socket, kind network, internal kubeconfig, /run/udev', () => {
    const worker = services.worker;
    const env = environmentOf(worker);
    expect(worker.volumes).toEqual(expect.arrayContaining(['/var/run/docker.sock:/var/run/docker.sock', '/run/udev:/run/udev:ro']));
    expect(env.CLUSTER_PROVIDER).toBe('kind');
    expect(env.WORKER_JOIN_KIND_NETWORK).toBe('true');
    expect(env.KIND_INTERNAL_KUBECONFIG).toBe('true');
    const entrypoint = fs.readFileSync(path.join(ROOT, 'deploy/worker/entrypoint.sh'), 'utf8');
    expect(entrypoint).toContain('WORKER_JOIN_KIND_NETWORK');
  });

  test('the worker is given time to drain: stop_grace_period above its shutdown deadline plus the runner kill grace', () => {
    const env = environmentOf(services.worker);
    const drain = Number(env.SHUTDOWN_DEADLINE_SECONDS) + Number(env.KILL_GRACE_SECONDS);
    expect(drain).toBeGreaterThan(0);
    expect(durationSeconds(services.worker.stop_grace_period)).toBeGreaterThan(drain + 30);
    for (const name of ['api', 'history']) {
      const deadline = Number(environmentOf(services[name]).SHUTDOWN_DEADLINE_SECONDS);
      expect(durationSeconds(services[name].stop_grace_period)).toBeGreaterThan(deadline);
    }
  });

  test("api and workers read one MAX_TASK_TIMEOUT_MINUTES, and RabbitMQ's consumer_timeout is an hour above it", () => {
    const conf = rabbitConf();
    const consumerTimeoutMs = Number(conf.consumer_timeout);
    const apiMax = loadApiConfig(environmentOf(services.api)).MAX_TASK_TIMEOUT_MINUTES;
    expect(environmentOf(services.worker).MAX_TASK_TIMEOUT_MINUTES).toBe(environmentOf(services.api).MAX_TASK_TIMEOUT_MINUTES);
    expect(consumerTimeoutMs).toBeGreaterThanOrEqual((apiMax + 60) * 60_000);
    expect(services.rabbitmq.volumes).toEqual(
      expect.arrayContaining(['./deploy/rabbitmq/rabbitmq.conf:/etc/rabbitmq/conf.d/20-aiopslab.conf:ro', `./deploy/rabbitmq/definitions.json:${conf.load_definitions}:ro`]),
    );
    expect(services.rabbitmq.ports).toEqual(['127.0.0.1:15672:15672']);
  });

  test('every published port is on loopback by default: nothing on the kind network reaches the services through the host', () => {
    const published = Object.entries(services).flatMap(([name, service]) => ((service.ports ?? []) as string[]).map((port) => ({ name, port })));
    expect(published.map((p) => p.name).sort()).toEqual(['api', 'rabbitmq']);
    for (const { name, port } of published) expect({ name, port: port.split(':')[0] }).toEqual({ name, port: '127.0.0.1' });
    // Only the worker's entrypoint joins the kind network; no service declares networks of its own.
    for (const [name, service] of Object.entries(services)) expect({ name, networks: service.networks }).toEqual({ name, networks: undefined });
  });

  test('API_BIND publishes the api wider only with API_TOKEN: the api refuses to start otherwise, naming both', () => {
    expect(services.api.ports).toEqual(['127.0.0.1:8001:8001']);
    expect(environmentOf(services.api).API_BIND).toBe('127.0.0.1');
    const wide = loadCompose({ API_BIND: '0.0.0.0' }).services.api;
    expect(wide.ports).toEqual(['0.0.0.0:8001:8001']);
    expect(() => loadApiConfig(environmentOf(wide))).toThrow(/API_BIND=0\.0\.0\.0 publishes the api beyond this host, which requires API_TOKEN/);
    const guarded = loadCompose({ API_BIND: '0.0.0.0', API_TOKEN: 'a-token-of-32-characters-0123456' }).services.api;
    expect(loadApiConfig(environmentOf(guarded)).API_BIND).toBe('0.0.0.0');
  });

  test('the services log in to RabbitMQ as the user definitions.json creates (no guest user on a node that imports definitions)', () => {
    const definitions = JSON.parse(fs.readFileSync(path.join(ROOT, 'deploy/rabbitmq/definitions.json'), 'utf8'));
    const urls = new Set(APP_SERVICES.filter((s) => s !== 'migrate').map((s) => environmentOf(services[s]).AMQP_URL));
    expect(urls.size).toBe(1);
    const url = new URL([...urls][0]);
    expect(url.hostname).toBe('rabbitmq');
    const user = definitions.users.find((u: { name: string }) => u.name === decodeURIComponent(url.username));
    expect(user).toBeDefined();
    expect(verifyRabbitPasswordHash(decodeURIComponent(url.password), user.password_hash)).toBe(true);
    expect(verifyRabbitPasswordHash('not-the-password', user.password_hash)).toBe(false);
    expect(user.tags).toContain('administrator');
    expect(definitions.permissions).toContainEqual({ user: user.name, vhost: '/', configure: '.*', write: '.*', read: '.*' });
  });

  test('every service reads the variables compose sets (names match the services\' config exactly)', () => {
    const known = serviceEnvNames();
    for (const name of APP_SERVICES) {
      const unknown = Object.keys(environmentOf(services[name])).filter(
        (variable) => !known[name].has(variable) && !(name === 'worker' && (WORKER_CONTAINER_ONLY.has(variable) || WORKER_REQUESTED.has(variable) || passedToRunner(variable))),
      );
      expect({ name, unknown }).toEqual({ name, unknown: [] });
    }
    // Compose's values pass each service's own validation.
    expect(() => loadApiConfig(environmentOf(services.api))).not.toThrow();
    expect(() => loadWorkerSettings(environmentOf(services.worker))).not.toThrow();
  });

  test('every variable compose interpolates is documented in .env.example', () => {
    const example = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8');
    const text = fs.readFileSync(COMPOSE_FILE, 'utf8');
    const missing = [...interpolatedVariables(text).keys()].filter((name) => !new RegExp(`^#?\\s*${name}=`, 'm').test(example));
    expect(missing).toEqual([]);
  });

  test('named volumes keep PostgreSQL and RabbitMQ data', () => {
    expect(Object.keys(compose.volumes ?? {}).sort()).toEqual(['postgres-data', 'rabbitmq-data']);
    expect(services.postgres.volumes).toContain('postgres-data:/var/lib/postgresql/data');
    expect(services.rabbitmq.volumes).toContain('rabbitmq-data:/var/lib/rabbitmq');
    expect(services.rabbitmq.hostname).toBe('rabbitmq');
  });
});
