import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadApiConfig } from '../../services/api/src/config';
import { ROOT } from './support/compose';
import { forEachContainer, podSpecOf, renderKustomization, Resource, splitImage } from './support/kustomize';

/**
 * The fleet findings of issue 21, asserted on the rendered production overlay (schema validity is
 * kubernetes.test.ts's). Nothing here was applied to a cluster.
 */
const OVERLAY = path.join(ROOT, 'k8s/overlays/production');
const withExamples = (file: string) => fs.readFileSync(fs.existsSync(file) ? file : `${file}.example`, 'utf8');
const production = renderKustomization(OVERLAY, { readFile: withExamples });

const find = (kind: string, name: string): Resource => {
  const found = production.find((r) => r.kind === kind && r.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} not rendered`);
  return found;
};
const workers = find('StatefulSet', 'aiopslab-worker');
const workerPod = podSpecOf(workers)!;
const init = (name: string) => workerPod.initContainers.find((c: any) => c.name === name);
const worker = workerPod.containers.find((c: any) => c.name === 'worker');
const dind = init('dind');
const envOf = (container: any, name: string): string | undefined => container.env?.find((e: any) => e.name === name)?.value;
const config = find('ConfigMap', 'aiopslab-config').data;
/** Kubernetes quantities to numbers (bytes or cores). */
const quantity = (value: string | number): number => {
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti)?$/.exec(String(value));
  if (!m) throw new Error(`quantity ${value}`);
  const unit = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }[m[2] as string] ?? 1;
  return Number(m[1]) * unit;
};
const FLEET_WORKERS = 1000; // what postgres-fleet.yaml and the pooler are sized for

describe('k8s production overlay for a fleet (issue 21)', () => {
  test('images: a pinned distribution registry in proxy mode is the registry mirror of every dind daemon', () => {
    const cache = find('Deployment', 'aiopslab-registry-cache');
    const registry = podSpecOf(cache)!.containers[0];
    expect(registry.image).toMatch(/^registry:\d+\.\d+\.\d+$/);
    expect(envOf(registry, 'REGISTRY_PROXY_REMOTEURL')).toBe('https://registry-1.docker.io');
    const service = find('Service', 'aiopslab-registry-cache');
    const port = service.spec.ports[0].port;
    expect(dind.args).toContain(`--registry-mirror=http://${service.metadata.name}:${port}`);
    expect(registry.ports[0].containerPort).toBe(port);
    // The preload images are pulled into the daemon (so through the mirror) before the worker starts.
    const order = workerPod.initContainers.map((c: any) => c.name);
    expect(order.indexOf('dind')).toBeLessThan(order.indexOf('pull-images'));
    expect(init('pull-images').command.join(' ')).toMatch(/pull-images-cli\.js \|\|/); // a failed pull does not hold the pod
    expect(envOf(init('pull-images'), 'DOCKER_HOST')).toBe(envOf(worker, 'DOCKER_HOST'));
  });

  test('connections: api, history and the workers go through a transaction-mode Pooler, sized for 1,000 workers; max_connections covers its server side', () => {
    const db = find('Cluster', 'aiopslab-db');
    const pooler = find('Pooler', 'aiopslab-db-pooler-rw');
    expect(pooler.spec.cluster.name).toBe(db.metadata.name);
    expect(pooler.spec.pgbouncer.poolMode).toBe('transaction');
    expect(Number(pooler.spec.pgbouncer.parameters.max_prepared_statements)).toBeGreaterThan(0); // named prepared statements
    const hpa = find('HorizontalPodAutoscaler', 'aiopslab-api');
    const history = find('Deployment', 'aiopslab-history');
    const API_POOL = 20; // docs/deployment.md: 10 Prisma + 10 node-postgres per api replica
    const clients = hpa.spec.maxReplicas * API_POOL + history.spec.replicas * 10 + FLEET_WORKERS * Number(envOf(worker, 'DB_POOL_SIZE'));
    expect(Number(pooler.spec.pgbouncer.parameters.max_client_conn)).toBeGreaterThanOrEqual(clients);
    for (const name of ['aiopslab-api', 'aiopslab-history']) {
      const main = podSpecOf(find('Deployment', name))!.containers[0];
      expect(envOf(main, 'DATABASE_URL')).toContain(`@${pooler.metadata.name}:5432/`);
    }
    // Workers hold no session (lease rows), so they too go through the pooler.
    expect(envOf(worker, 'DATABASE_URL')).toContain(`@${pooler.metadata.name}:5432/`);
    expect(workers.spec.replicas).toBeLessThanOrEqual(FLEET_WORKERS);
    const server = pooler.spec.instances * Number(pooler.spec.pgbouncer.parameters.default_pool_size);
    expect(server).toBeLessThanOrEqual(50); // the fleet goal: at most 50 server sessions
    const reserve = 50; // migrator, CloudNativePG's replication and monitoring, superuser_reserved_connections
    expect(Number(db.spec.postgresql.parameters.max_connections)).toBeGreaterThanOrEqual(server + reserve);
  });

  test('backups: WAL archiving and a nightly ScheduledBackup to a configurable object store with uncommitted credentials', () => {
    const db = find('Cluster', 'aiopslab-db');
    const store = db.spec.backup.barmanObjectStore;
    expect(store.destinationPath).toMatch(/^s3:\/\//);
    expect(db.spec.backup.retentionPolicy).toMatch(/^\d+[dwm]$/);
    const secret = find('Secret', store.s3Credentials.accessKeyId.name);
    expect(Object.keys(secret.data)).toEqual(expect.arrayContaining([store.s3Credentials.accessKeyId.key, store.s3Credentials.secretAccessKey.key]));
    const scheduled = find('ScheduledBackup', 'aiopslab-db-nightly');
    expect(scheduled.spec.cluster.name).toBe(db.metadata.name);
    expect(scheduled.spec.schedule.split(' ')).toHaveLength(6); // CloudNativePG's cron has seconds
    expect(fs.readFileSync(path.join(OVERLAY, '.gitignore'), 'utf8').split('\n')).toContain('db-backup-credentials.env');
  });

  test('rollouts: the StatefulSet replaces a percentage at a time, and the PDB is a percentage', () => {
    expect(workers.spec.podManagementPolicy).toBe('Parallel');
    expect(workers.spec.updateStrategy.rollingUpdate.maxUnavailable).toMatch(/^\d+%$/);
    expect(workers.spec.updateStrategy.rollingUpdate.partition).toBe(0);
    expect(find('PodDisruptionBudget', 'aiopslab-worker').spec.maxUnavailable).toMatch(/^\d+%$/);
  });

  test('resources: dind asks ~4 CPU with memory request = limit; every worker-pod container sets ephemeral storage; every emptyDir has a sizeLimit', () => {
    expect(quantity(dind.resources.requests.cpu)).toBe(4);
    // The long-running containers are never overcommitted on memory (first evicted under pressure otherwise).
    for (const c of [dind, worker]) expect({ c: c.name, memory: c.resources.requests.memory }).toEqual({ c: c.name, memory: c.resources.limits.memory });
    for (const c of [dind, worker]) expect(quantity(c.resources.requests['ephemeral-storage'])).toBeGreaterThan(0);
    const emptyDirs = workerPod.volumes.filter((v: any) => v.emptyDir);
    expect(emptyDirs.length).toBeGreaterThan(0);
    for (const v of emptyDirs) expect({ v: v.name, limit: Boolean(v.emptyDir.sizeLimit) }).toEqual({ v: v.name, limit: true });
    // The work dir fits in the worker's ephemeral-storage limit (the pod-level eviction sums them).
    const work = emptyDirs.find((v: any) => v.name === 'work');
    expect(quantity(worker.resources.limits['ephemeral-storage'])).toBeGreaterThan(quantity(work.emptyDir.sizeLimit));
  });

  test('node pool: workers tolerate and select the tainted pool; a DaemonSet there sets the sysctls the workers wait for', () => {
    const daemon = find('DaemonSet', 'aiopslab-node-tuning');
    const ds = podSpecOf(daemon)!;
    expect(ds.nodeSelector).toEqual(workerPod.nodeSelector);
    expect(ds.tolerations).toEqual(workerPod.tolerations);
    expect(workerPod.tolerations[0].effect).toBe('NoSchedule');
    const script: string = ds.initContainers[0].command.join('\n');
    expect(ds.initContainers[0].securityContext.privileged).toBe(true);
    const wait: string = init('wait-for-node-tuning').command.join('\n');
    for (const [sysctl, proc] of [['fs.inotify.max_user_instances', 'fs/inotify/max_user_instances'], ['fs.inotify.max_user_watches', 'fs/inotify/max_user_watches'], ['vm.max_map_count', 'vm/max_map_count']]) {
      const set = Number(new RegExp(`sysctl -w ${sysctl.replace(/\./g, '\\.')}=(\\d+)`).exec(script)?.[1]);
      const needed = Number(new RegExp(`/proc/sys/${proc}\\)" -ge (\\d+)`).exec(wait)?.[1]);
      expect({ sysctl, set: set >= needed && needed > 0 }).toEqual({ sysctl, set: true });
    }
    expect(workerPod.initContainers[0].name).toBe('wait-for-node-tuning'); // before dind starts any cluster
    for (const c of [...ds.initContainers, ...ds.containers]) expect(splitImage(c.image)[1]).toMatch(/^\d+\.\d+(\.\d+)?$/);
  });

  test('pod details: fsGroupChangePolicy OnRootMismatch, a PVC retention policy, a grace period above the longest task, not evictable by autoscalers', () => {
    expect(workerPod.securityContext.fsGroupChangePolicy).toBe('OnRootMismatch');
    expect(workers.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Delete', whenScaled: 'Delete' });
    const longestTask = loadApiConfig({ MAX_TASK_TIMEOUT_MINUTES: config.MAX_TASK_TIMEOUT_MINUTES }).MAX_TASK_TIMEOUT_MINUTES * 60;
    const deadline = Number(envOf(worker, 'SHUTDOWN_DEADLINE_SECONDS'));
    expect(deadline).toBeGreaterThanOrEqual(longestTask);
    expect(workerPod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(deadline + Number(envOf(worker, 'KILL_GRACE_SECONDS')) + 60);
    const annotations = workers.spec.template.metadata.annotations;
    expect(annotations['cluster-autoscaler.kubernetes.io/safe-to-evict']).toBe('false');
    expect(annotations['karpenter.sh/do-not-disrupt']).toBe('true');
  });

  test('isolation: the worker pods reach only DNS, PostgreSQL, AMQP, the registry cache and public 80/443; never 15672, private ranges or metadata', () => {
    const policy = find('NetworkPolicy', 'aiopslab-worker-egress');
    expect(policy.spec.podSelector.matchLabels).toEqual(workers.spec.selector.matchLabels);
    expect(policy.spec.policyTypes).toContain('Egress');
    const ports = policy.spec.egress.flatMap((rule: any) => rule.ports.map((p: any) => p.port));
    expect(ports).not.toContain(15672);
    expect(ports).not.toContain(6443);
    for (const rule of policy.spec.egress) {
      for (const to of rule.to) {
        if (!to.ipBlock) continue;
        expect(to.ipBlock.except).toEqual(expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']));
        expect(rule.ports.map((p: any) => p.port).sort()).toEqual([443, 80].sort());
      }
    }
    const rabbit = policy.spec.egress.find((rule: any) => rule.to.some((t: any) => t.podSelector?.matchLabels?.['app.kubernetes.io/name'] === 'aiopslab-rabbitmq'));
    expect(rabbit.ports).toEqual([{ port: 5672, protocol: 'TCP' }]);
    expect(dind.command).toEqual(['/bin/sh', '/opt/aiopslab/dind-egress-guard.sh']);
    expect(dind.startupProbe.exec.command.join(' ')).toContain('egress-guard.ready');
  });

  test('isolation: the dind egress guard starts dockerd, then rejects forwarded traffic to private, CGNAT and link-local ranges, and passes SIGTERM on', async () => {
    const script = find('ConfigMap', 'aiopslab-dind-egress-guard').data['dind-egress-guard.sh'];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-egress-'));
    try {
      fs.mkdirSync(path.join(dir, 'bin'));
      const shim = (name: string, body: string) => fs.writeFileSync(path.join(dir, 'bin', name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
      shim('dockerd-entrypoint.sh', `echo "$*" > "${dir}/dockerd.args"\ntrap 'echo stopped > "${dir}/dockerd.stopped"; exit 0' TERM\nwhile :; do sleep 0.05; done`);
      shim('docker', `[ -f "${dir}/dockerd.args" ]`);
      shim('iptables', `echo "$*" >> "${dir}/iptables.log"\ncase "$1" in -C) exit 1 ;; esac`);
      shim('ip6tables', 'exit 1');
      fs.writeFileSync(path.join(dir, 'guard.sh'), script);
      const ready = path.join(dir, 'ready');
      const child = spawn('sh', [path.join(dir, 'guard.sh'), '--host=unix:///var/run/dind/docker.sock', '--group=10001'], {
        env: { PATH: `${dir}/bin:${process.env.PATH}`, EGRESS_GUARD_READY: ready, DIND_EXTRA_BLOCKED_CIDRS: '203.0.113.7/32' },
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      for (let i = 0; i < 100 && !fs.existsSync(ready); i += 1) await new Promise((r) => setTimeout(r, 50));
      expect(fs.existsSync(ready)).toBe(true);
      expect(fs.readFileSync(path.join(dir, 'dockerd.args'), 'utf8').trim()).toBe('--host=unix:///var/run/dind/docker.sock --group=10001');
      const rules = fs.readFileSync(path.join(dir, 'iptables.log'), 'utf8').trim().split('\n');
      for (const cidr of ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '203.0.113.7/32']) {
        expect(rules).toContain(`-A AIOPSLAB-EGRESS -d ${cidr} -j REJECT`);
      }
      // Bridge-local traffic (Kind nodes among themselves) is let through before any REJECT.
      expect(rules.indexOf('-A AIOPSLAB-EGRESS -o br-+ -j RETURN')).toBeLessThan(rules.findIndex((r) => r.includes('REJECT')));
      expect(rules).toContain('-I DOCKER-USER 1 -j AIOPSLAB-EGRESS');
      child.kill('SIGTERM');
      await exited;
      expect(fs.readFileSync(path.join(dir, 'dockerd.stopped'), 'utf8').trim()).toBe('stopped');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);

  test('migrations: the Job is named for the release; every api, history and worker pod waits for the schema first', () => {
    const jobs = production.filter((r) => r.kind === 'Job');
    expect(jobs).toHaveLength(1);
    const apiImage = podSpecOf(find('Deployment', 'aiopslab-api'))!.containers[0].image;
    expect(jobs[0].metadata.name).toBe(`aiopslab-migrate-${splitImage(apiImage)[1]}`);
    for (const [kind, name] of [['Deployment', 'aiopslab-api'], ['Deployment', 'aiopslab-history'], ['StatefulSet', 'aiopslab-worker']]) {
      const spec = podSpecOf(find(kind, name))!;
      const wait = spec.initContainers.find((c: any) => c.name === 'wait-for-schema');
      expect(wait.image).toBe(spec.containers[0].image); // the migrations its own code expects
      expect(wait.command).toEqual(['node', '/opt/aiopslab/wait-for-schema.js']);
      const volume = spec.volumes.find((v: any) => v.name === wait.volumeMounts[0].name);
      expect(volume.configMap.name).toBe('aiopslab-wait-for-schema');
    }
    const order = workerPod.initContainers.map((c: any) => c.name);
    expect(order.indexOf('wait-for-schema')).toBeLessThan(order.indexOf('pull-images'));
  });

  test('migrations: wait-for-schema exits 0 once every migration of the image is applied, and gives up (exit 1) while one is missing', () => {
    const script = find('ConfigMap', 'aiopslab-wait-for-schema').data['wait-for-schema.js'];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-wait-schema-'));
    try {
      // An image-like tree: the real shared/dist and prisma/migrations, a stand-in pg.
      fs.symlinkSync(path.join(ROOT, 'shared'), path.join(dir, 'shared'));
      fs.symlinkSync(path.join(ROOT, 'prisma'), path.join(dir, 'prisma'));
      fs.mkdirSync(path.join(dir, 'node_modules/pg'), { recursive: true });
      fs.writeFileSync(
        path.join(dir, 'node_modules/pg/index.js'),
        `exports.Client = class { async connect() {} async end() {} async query() { return { rows: JSON.parse(process.env.STUB_APPLIED).map((migration_name) => ({ migration_name })) }; } };`,
      );
      fs.writeFileSync(path.join(dir, 'wait.js'), script);
      const names = fs.readdirSync(path.join(ROOT, 'prisma/migrations'), { withFileTypes: true }).filter((e) => e.isDirectory() && fs.existsSync(path.join(ROOT, 'prisma/migrations', e.name, 'migration.sql'))).map((e) => e.name);
      const run = (applied: string[]) =>
        spawnSync('node', ['wait.js'], { cwd: dir, encoding: 'utf8', timeout: 15_000, env: { PATH: process.env.PATH, STUB_APPLIED: JSON.stringify(applied), WAIT_FOR_SCHEMA_POLL_MS: '50', WAIT_FOR_SCHEMA_TIMEOUT_SECONDS: '0.3' } });
      const current = run(names);
      expect({ status: current.status, out: current.stdout }).toEqual({ status: 0, out: expect.stringContaining('schema is current') });
      const behind = run(names.slice(0, -1));
      expect({ status: behind.status, err: behind.stderr }).toEqual({ status: 1, err: expect.stringContaining(names.at(-1)!) });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a fresh cluster: docs/fleet.md installs pinned operators, waits for each, then applies the overlay and waits for its migration Job', () => {
    const doc = fs.readFileSync(path.join(ROOT, 'docs/fleet.md'), 'utf8');
    const block = /<!-- install-order -->\s*```sh\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBeDefined();
    const lines = block!.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
    const apply = at(/^kubectl apply -k k8s\/overlays\/production$/);
    expect(apply).toBeGreaterThan(-1);
    // Each CRD group the overlay uses, the operator that serves it, and the wait for that operator.
    const operators: Record<string, { install: RegExp; ready: RegExp }> = {
      'postgresql.cnpg.io': { install: /cloudnative-pg\/releases\/download\/v(\d+\.\d+\.\d+)\/cnpg-\1\.yaml$/, ready: /-n cnpg-system rollout status deployment\/cnpg-controller-manager/ },
      'rabbitmq.com': { install: /rabbitmq\/cluster-operator\/releases\/download\/v(\d+\.\d+\.\d+)\/cluster-operator\.yml$/, ready: /-n rabbitmq-system rollout status deployment\/rabbitmq-cluster-operator/ },
    };
    const groups = new Set(production.map((r) => r.apiVersion.split('/')[0]).filter((g) => g.includes('.') && !g.endsWith('k8s.io')));
    for (const group of groups) {
      const operator = operators[group];
      expect({ group, known: Boolean(operator) }).toEqual({ group, known: true });
      const install = at(operator.install);
      const ready = at(operator.ready);
      expect({ group, order: install > -1 && install < ready && ready < apply }).toEqual({ group, order: true });
    }
    // The RabbitMQ Cluster Operator needs cert-manager from 2.20 on; the pinned one is older.
    const rabbitVersion = operators['rabbitmq.com'].install.exec(lines[at(operators['rabbitmq.com'].install)])![1].split('.').map(Number);
    expect(rabbitVersion[0] === 2 && rabbitVersion[1] < 20).toBe(true);
    const job = production.find((r) => r.kind === 'Job')!.metadata.name;
    const wait = at(new RegExp(`wait --for=condition=complete job/${job.replace(/\./g, '\\.')} `));
    expect(wait).toBeGreaterThan(apply);
    expect(at(/rollout status (deploy|deployment)\/aiopslab-api/)).toBeGreaterThan(apply);
  });
});
