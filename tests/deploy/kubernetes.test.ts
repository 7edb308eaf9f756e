import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { loadApiConfig } from '../../services/api/src/config';
import { ROOT } from './support/compose';
import { isBuiltIn, unknownFieldErrors, validateWithModel } from './support/kube-schema';
import { forEachContainer, podSpecOf, renderKustomization, Resource, splitImage } from './support/kustomize';
import { K8S_COMPOSITION_ONLY, passedToRunner, ServiceName, serviceEnvNames, WORKER_CONTAINER_ONLY, WORKER_REQUESTED } from './support/service-env';

const BASE = path.join(ROOT, 'k8s/base');
const OVERLAY = path.join(ROOT, 'k8s/overlays/production');

/** Credential files are never committed: render with their committed .example twins. */
const withExamples = (file: string) => fs.readFileSync(fs.existsSync(file) ? file : `${file}.example`, 'utf8');

const base = renderKustomization(BASE, { readFile: withExamples });
const production = renderKustomization(OVERLAY, { readFile: withExamples });
const renders: [string, Resource[]][] = [['base', base], ['production', production]];

const find = (resources: Resource[], kind: string, name: string) => {
  const found = resources.find((r) => r.kind === kind && r.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} not rendered`);
  return found;
};
const containerOf = (resource: Resource, name: string) => {
  const container = (podSpecOf(resource)!.containers as any[]).find((c) => c.name === name);
  if (!container) throw new Error(`${resource.kind}/${resource.metadata.name} has no container ${name}`);
  return container;
};
const envValue = (container: any, name: string): string | undefined => container.env?.find((e: any) => e.name === name)?.value;
const labelsMatch = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels?.[k] === v);

describe('k8s/ (Kustomize base and production overlay)', () => {
  test('every resource file parses, and the kustomizations render the expected workloads', () => {
    const files = ['base', 'overlays/production'].flatMap((dir) => fs.readdirSync(path.join(ROOT, 'k8s', dir)).filter((f) => f.endsWith('.yaml')).map((f) => path.join(ROOT, 'k8s', dir, f)));
    for (const file of files) expect(() => YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).forEach((d) => { if (d.errors.length) throw d.errors[0]; })).not.toThrow();
    const ids = (resources: Resource[]) => resources.map((r) => `${r.kind}/${r.metadata.name}`).sort();
    expect(ids(production)).toEqual(
      [
        'ConfigMap/aiopslab-config', 'Secret/aiopslab-api-tokens', 'Secret/aiopslab-llm-credentials', 'RabbitmqCluster/aiopslab-rabbitmq', 'Cluster/aiopslab-db',
        'Job/aiopslab-migrate-0.1.0', 'Deployment/aiopslab-api', 'Service/aiopslab-api', 'HorizontalPodAutoscaler/aiopslab-api', 'PodDisruptionBudget/aiopslab-api',
        'Deployment/aiopslab-history', 'PodDisruptionBudget/aiopslab-history', 'Service/aiopslab-worker', 'StatefulSet/aiopslab-worker',
        'PodDisruptionBudget/aiopslab-worker', 'Namespace/aiopslab',
        // the fleet (kubernetes-fleet.test.ts)
        'Pooler/aiopslab-db-pooler-rw', 'ConfigMap/aiopslab-wait-for-schema', 'ConfigMap/aiopslab-dind-egress-guard', 'Service/aiopslab-registry-cache',
        'PersistentVolumeClaim/aiopslab-registry-cache', 'Deployment/aiopslab-registry-cache', 'PodDisruptionBudget/aiopslab-registry-cache',
        'NetworkPolicy/aiopslab-worker-egress', 'NetworkPolicy/aiopslab-registry-cache', 'DaemonSet/aiopslab-node-tuning', 'ScheduledBackup/aiopslab-db-nightly',
        'Secret/aiopslab-db-backup-credentials',
      ].sort(),
    );
    const overlayOnly = ['Namespace/aiopslab', 'DaemonSet/aiopslab-node-tuning', 'ScheduledBackup/aiopslab-db-nightly', 'Secret/aiopslab-db-backup-credentials'];
    expect(ids(base)).toEqual(ids(production).filter((id) => !overlayOnly.includes(id)));
    for (const r of production) if (r.kind !== 'Namespace') expect(`${r.kind}/${r.metadata.name} ${r.metadata.namespace}`).toBe(`${r.kind}/${r.metadata.name} aiopslab`);
  });

  test.each(renders)('%s: every built-in resource passes the Kubernetes schema (kubernetes-models)', (_name, resources) => {
    const problems: string[] = [];
    for (const resource of resources.filter(isBuiltIn)) {
      try {
        validateWithModel(resource);
      } catch (error) {
        problems.push(`${resource.kind}/${resource.metadata.name}: ${(error as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
    const crs = ['postgresql.cnpg.io/v1 Cluster', 'postgresql.cnpg.io/v1 Pooler', 'rabbitmq.com/v1beta1 RabbitmqCluster', ...(_name === 'production' ? ['postgresql.cnpg.io/v1 ScheduledBackup'] : [])];
    expect(resources.filter((r) => !isBuiltIn(r)).map((r) => `${r.apiVersion} ${r.kind}`).sort()).toEqual(crs.sort());
  });

  test('no resource has a field the Kubernetes API does not know (typed against the API types)', () => {
    const typed = production.filter(isBuiltIn).map((resource) => ({ label: `${resource.kind}/${resource.metadata.name}`, resource }));
    expect(unknownFieldErrors(typed)).toEqual([]);
    // The check is live: a misspelt field is reported.
    const api = structuredClone(find(production, 'Deployment', 'aiopslab-api'));
    api.spec.template.spec.containers[0].readinesProbe = { tcpSocket: { port: 8001 } };
    expect(unknownFieldErrors([{ label: 'misspelt', resource: api }]).join('\n')).toMatch(/readinesProbe/);
  }, 60_000);

  test('where kubectl is installed, `kubectl kustomize` renders the same resources, images and env as the test renderer', () => {
    const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
    if (kubectl.status !== 0) {
      expect(kubectl.error ?? kubectl.status).toBeTruthy(); // no kubectl: the renderer above is the rendering
      return;
    }
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-k8s-'));
    try {
      fs.cpSync(path.join(ROOT, 'k8s'), copy, { recursive: true });
      for (const example of fs.readdirSync(path.join(copy, 'overlays/production')).filter((f) => f.endsWith('.env.example'))) {
        const target = path.join(copy, 'overlays/production', example.replace(/\.example$/, ''));
        if (!fs.existsSync(target)) fs.copyFileSync(path.join(copy, 'overlays/production', example), target);
      }
      const result = spawnSync('kubectl', ['kustomize', path.join(copy, 'overlays/production')], { encoding: 'utf8', timeout: 60_000 });
      expect(result.stderr).toBe('');
      const rendered = YAML.parseAllDocuments(result.stdout).map((d) => d.toJS() as Resource);
      const summary = (resources: Resource[]) =>
        resources
          .map((r) => {
            const containers: string[] = [];
            forEachContainer(r, (c) => containers.push(`${c.name}=${c.image} env:${(c.env ?? []).map((e: any) => e.name).sort().join(',')}`));
            return `${r.kind}/${r.metadata.namespace ?? ''}/${r.metadata.name} replicas=${r.spec?.replicas ?? '-'} ${containers.join(' ')} labels=${JSON.stringify(Object.entries(r.metadata.labels ?? {}).sort())}`;
          })
          .sort();
      expect(summary(rendered)).toEqual(summary(production));
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  test('images: the app images are rewritten to pinned registry tags in the overlay; no image is untagged or latest', () => {
    for (const [name, resources] of renders) {
      for (const resource of resources) {
        forEachContainer(resource, (container) => {
          const [, tag] = splitImage(container.image);
          expect({ name, image: container.image, tagged: Boolean(tag) && tag !== 'latest' }).toEqual({ name, image: container.image, tagged: name === 'base' && container.image.startsWith('aiopslab-') ? false : true });
        });
      }
    }
    const images = new Set<string>();
    production.forEach((r) => forEachContainer(r, (c) => images.add(c.image)));
    for (const app of ['api', 'history', 'worker']) expect([...images].some((image) => new RegExp(`/aiopslab-${app}:\\d+\\.\\d+\\.\\d+$`).test(image))).toBe(true);
    expect(find(production, 'RabbitmqCluster', 'aiopslab-rabbitmq').spec.image).toMatch(/^rabbitmq:4\.\d+/);
    expect(find(production, 'Cluster', 'aiopslab-db').spec.imageName).toMatch(/:\d+(\.\d+)?$/);
  });

  test('RabbitmqCluster (checked by hand): replicated, quorum queues, consumer_timeout above the longest task', () => {
    const rabbit = find(production, 'RabbitmqCluster', 'aiopslab-rabbitmq');
    expect(rabbit.apiVersion).toBe('rabbitmq.com/v1beta1');
    expect(Number.isInteger(rabbit.spec.replicas) && rabbit.spec.replicas >= 3 && rabbit.spec.replicas % 2 === 1).toBe(true);
    expect(rabbit.spec.persistence.storage).toMatch(/^\d+(Gi|Ti)$/);
    expect(rabbit.spec.resources.requests).toBeDefined();
    const config = find(production, 'ConfigMap', 'aiopslab-config').data;
    expect(config.QUEUE_TYPE).toBe('quorum');
    const timeout = Number(/^consumer_timeout\s*=\s*(\d+)\s*$/m.exec(rabbit.spec.rabbitmq.additionalConfig)?.[1]);
    // One ConfigMap value, read by the api and the workers alike (both take envFrom it).
    const max = loadApiConfig({ MAX_TASK_TIMEOUT_MINUTES: config.MAX_TASK_TIMEOUT_MINUTES }).MAX_TASK_TIMEOUT_MINUTES;
    expect(timeout).toBeGreaterThanOrEqual((max + 60) * 60_000);
  });

  test('CloudNativePG Cluster (checked by hand): instances, storage, and the database and owner behind the <name>-app secret', () => {
    const db = find(production, 'Cluster', 'aiopslab-db');
    expect(db.apiVersion).toBe('postgresql.cnpg.io/v1');
    expect(Number.isInteger(db.spec.instances) && db.spec.instances >= 1).toBe(true);
    expect(db.spec.storage.size).toMatch(/^\d+(Gi|Ti)$/);
    expect(db.spec.bootstrap.initdb).toEqual(expect.objectContaining({ database: expect.any(String), owner: expect.any(String) }));
    expect(Number(db.spec.postgresql.parameters.max_connections)).toBeGreaterThan(100);
  });

  test('every Secret and ConfigMap a workload references exists, or is created by an operator from a rendered CR', () => {
    const operatorSecrets = new Map<string, string[]>();
    for (const r of production) {
      if (r.kind === 'Cluster') operatorSecrets.set(`${r.metadata.name}-app`, ['uri', 'username', 'password', 'host', 'port', 'dbname']);
      if (r.kind === 'RabbitmqCluster') operatorSecrets.set(`${r.metadata.name}-default-user`, ['username', 'password', 'host', 'port']);
    }
    const keysOf = (kind: string, name: string): string[] | undefined => {
      const own = production.find((r) => r.kind === kind && r.metadata.name === name);
      if (own) return Object.keys({ ...(own.data ?? {}), ...(own.stringData ?? {}) });
      return kind === 'Secret' ? operatorSecrets.get(name) : undefined;
    };
    const problems: string[] = [];
    for (const r of production) {
      forEachContainer(r, (c) => {
        for (const from of c.envFrom ?? []) {
          const ref = from.configMapRef ? ['ConfigMap', from.configMapRef.name] : ['Secret', from.secretRef.name];
          if (!keysOf(ref[0], ref[1])) problems.push(`${r.metadata.name}/${c.name}: envFrom ${ref.join('/')} missing`);
        }
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
          if (!ref) continue;
          const keys = keysOf(e.valueFrom.secretKeyRef ? 'Secret' : 'ConfigMap', ref.name);
          if (!keys?.includes(ref.key)) problems.push(`${r.metadata.name}/${c.name}: ${e.name} -> ${ref.name}/${ref.key} missing`);
        }
      });
    }
    expect(problems).toEqual([]);
  });

  test('AMQP_URL is built from the operator secret and points at the RabbitmqCluster service; DATABASE_URL is the pooler for api, history and workers', () => {
    const rabbit = find(production, 'RabbitmqCluster', 'aiopslab-rabbitmq').metadata.name;
    for (const r of production.filter((x) => ['Deployment', 'StatefulSet'].includes(x.kind) && x.metadata.name !== 'aiopslab-registry-cache')) {
      const main = podSpecOf(r)!.containers[0];
      const names = main.env.map((e: any) => e.name);
      expect(names.indexOf('AMQP_USERNAME')).toBeLessThan(names.indexOf('AMQP_URL')); // $(VAR) only expands earlier entries
      expect(names.indexOf('AMQP_PASSWORD')).toBeLessThan(names.indexOf('AMQP_URL'));
      expect(envValue(main, 'AMQP_URL')).toBe(`amqp://$(AMQP_USERNAME):$(AMQP_PASSWORD)@${rabbit}:5672`);
      const database = main.env.find((e: any) => e.name === 'DATABASE_URL');
      expect(database.value).toBe('postgresql://$(DB_USERNAME):$(DB_PASSWORD)@aiopslab-db-pooler-rw:5432/aiopslab');
      expect(names.indexOf('DB_PASSWORD')).toBeLessThan(names.indexOf('DATABASE_URL'));
    }
  });

  test('probes: readiness and liveness on every long-running container, on the health endpoints of the ports the services listen on', () => {
    const expectations: [string, string, string, string][] = [
      ['Deployment', 'aiopslab-api', 'api', 'PORT'],
      ['Deployment', 'aiopslab-history', 'history', 'HEALTH_PORT'],
      ['StatefulSet', 'aiopslab-worker', 'worker', 'HEALTH_PORT'],
    ];
    for (const [kind, name, containerName, portVariable] of expectations) {
      const container = containerOf(find(production, kind, name), containerName);
      const port = Number(envValue(container, portVariable));
      const portNumber = (ref: string | number) => (typeof ref === 'number' ? ref : container.ports.find((p: any) => p.name === ref)?.containerPort);
      expect(container.readinessProbe.httpGet.path).toBe('/health');
      expect(portNumber(container.readinessProbe.httpGet.port)).toBe(port);
      const liveness = container.livenessProbe.httpGet ?? container.livenessProbe.tcpSocket;
      expect(portNumber(liveness.port)).toBe(port);
      if (container.livenessProbe.httpGet) expect(['/health', '/metrics']).toContain(container.livenessProbe.httpGet.path);
    }
    const dind = podSpecOf(find(production, 'StatefulSet', 'aiopslab-worker'))!.initContainers.find((c: any) => c.name === 'dind');
    expect(dind.startupProbe).toBeDefined();
    expect(dind.livenessProbe).toBeDefined();
  });

  test('workers: a StatefulSet with stable ids from pod names, a Docker-in-Docker sidecar whose socket the worker uses, and a drain-sized grace period', () => {
    const sts = find(production, 'StatefulSet', 'aiopslab-worker');
    const spec = podSpecOf(sts)!;
    const worker = containerOf(sts, 'worker');
    expect(worker.env.find((e: any) => e.name === 'WORKER_ID').valueFrom.fieldRef.fieldPath).toBe('metadata.name');
    expect(find(production, 'Service', sts.spec.serviceName).spec.clusterIP).toBe('None');
    expect(sts.spec.replicas).toBeGreaterThanOrEqual(2);

    const dind = spec.initContainers.find((c: any) => c.name === 'dind');
    expect(dind.restartPolicy).toBe('Always'); // native sidecar: outlives the worker's shutdown
    expect(dind.securityContext.privileged).toBe(true);
    const socket = /--host=unix:\/\/(\S+)/.exec(dind.args.join(' '))![1];
    expect(envValue(worker, 'DOCKER_HOST')).toBe(`unix://${socket}`);
    const socketDir = path.posix.dirname(socket);
    const mountOf = (c: any) => c.volumeMounts.find((m: any) => m.mountPath === socketDir)?.name;
    expect(mountOf(worker)).toBe(mountOf(dind));
    expect(dind.args).toContain(`--group=${worker.securityContext.runAsGroup}`);
    expect(worker.securityContext.runAsNonRoot).toBe(true);
    expect(envValue(worker, 'CLUSTER_PROVIDER')).toBe('kind');
    expect(envValue(worker, 'KIND_INTERNAL_KUBECONFIG')).toBe('false');

    const volumes = new Set([...spec.volumes.map((v: any) => v.name), ...sts.spec.volumeClaimTemplates.map((v: any) => v.metadata.name)]);
    for (const c of [...spec.containers, ...spec.initContainers]) for (const m of c.volumeMounts ?? []) expect(volumes.has(m.name)).toBe(true);
    expect(dind.volumeMounts.map((m: any) => m.mountPath)).toEqual(expect.arrayContaining(['/var/lib/docker', '/run/udev']));

    const drain = Number(envValue(worker, 'SHUTDOWN_DEADLINE_SECONDS')) + Number(envValue(worker, 'KILL_GRACE_SECONDS'));
    expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(drain + 60);
    for (const name of ['aiopslab-api', 'aiopslab-history']) {
      const deployment = find(production, 'Deployment', name);
      const main = podSpecOf(deployment)!.containers[0];
      expect(podSpecOf(deployment)!.terminationGracePeriodSeconds).toBeGreaterThan(Number(envValue(main, 'SHUTDOWN_DEADLINE_SECONDS')));
    }
  });

  test('the api scales with an HPA, has a Service, and every workload has a PodDisruptionBudget that selects it', () => {
    const api = find(production, 'Deployment', 'aiopslab-api');
    const hpa = find(production, 'HorizontalPodAutoscaler', 'aiopslab-api');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'aiopslab-api' });
    expect(api.spec.replicas).toBeUndefined(); // the HPA owns the count
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    const service = find(production, 'Service', 'aiopslab-api');
    expect(labelsMatch(service.spec.selector, api.spec.template.metadata.labels)).toBe(true);
    expect(containerOf(api, 'api').ports.map((p: any) => p.name)).toContain(service.spec.ports[0].targetPort);
    for (const workload of production.filter((r) => ['Deployment', 'StatefulSet'].includes(r.kind))) {
      const pdbs = production.filter((r) => r.kind === 'PodDisruptionBudget' && labelsMatch(r.spec.selector.matchLabels, workload.spec.template.metadata.labels));
      expect({ workload: workload.metadata.name, pdbs: pdbs.length }).toEqual({ workload: workload.metadata.name, pdbs: 1 });
      expect(labelsMatch(workload.spec.selector.matchLabels, workload.spec.template.metadata.labels)).toBe(true);
    }
  });

  test('the migration Job runs the migrator of the api image', () => {
    const job = production.find((r) => r.kind === 'Job' && r.metadata.name.startsWith('aiopslab-migrate-'))!;
    const container = podSpecOf(job)!.containers[0];
    expect(container.command).toEqual(['node', 'shared/dist/db/migrate-cli.js']);
    expect(container.image).toBe(containerOf(find(production, 'Deployment', 'aiopslab-api'), 'api').image);
    expect(podSpecOf(job)!.restartPolicy).toBe('OnFailure');
    expect(job.spec.ttlSecondsAfterFinished).toBeGreaterThan(0);
  });

  test('the overlay turns API auth on from a Secret, whose real values are never committed', () => {
    const api = containerOf(find(production, 'Deployment', 'aiopslab-api'), 'api');
    for (const name of ['API_TOKEN', 'WORKER_TOKEN']) {
      expect(api.env.find((e: any) => e.name === name).valueFrom.secretKeyRef).toEqual({ name: 'aiopslab-api-tokens', key: name });
    }
    // An empty token would mean "no auth" to the api: the overlay's command refuses to start instead.
    expect(api.command).toEqual(['/usr/bin/tini', '--', 'sh', '-c']);
    const script: string = api.args[0];
    expect(script.trim().split('\n').at(-1)).toBe('exec node services/api/dist/main.js');
    for (const tokens of [{ API_TOKEN: '', WORKER_TOKEN: 'w'.repeat(32) }, { API_TOKEN: 'a'.repeat(32), WORKER_TOKEN: '' }]) {
      const refused = spawnSync('sh', ['-c', script], { env: { PATH: process.env.PATH, ...tokens }, encoding: 'utf8' });
      expect({ status: refused.status, stderr: refused.stderr }).toEqual({ status: 1, stderr: expect.stringContaining('must be set') });
    }
    const accepted = spawnSync('sh', ['-c', script.replace(/exec node .*$/m, 'echo started')], { env: { PATH: process.env.PATH, API_TOKEN: 'a'.repeat(32), WORKER_TOKEN: 'w'.repeat(32) }, encoding: 'utf8' });
    expect(accepted.stdout.trim()).toBe('started');
    const baseApi = containerOf(find(base, 'Deployment', 'aiopslab-api'), 'api');
    expect(baseApi.env.map((e: any) => e.name)).not.toContain('API_TOKEN');
    const kustomization = YAML.parse(fs.readFileSync(path.join(OVERLAY, 'kustomization.yaml'), 'utf8'));
    const ignored = fs.readFileSync(path.join(OVERLAY, '.gitignore'), 'utf8').split('\n');
    for (const generator of kustomization.secretGenerator) {
      for (const envFile of generator.envs) {
        expect(ignored).toContain(envFile);
        expect(fs.existsSync(path.join(OVERLAY, `${envFile}.example`))).toBe(true);
      }
    }
    const tokens = fs.readFileSync(path.join(OVERLAY, 'api-tokens.env.example'), 'utf8');
    expect(tokens).toMatch(/^API_TOKEN=$/m);
    expect(tokens).toMatch(/^WORKER_TOKEN=$/m);
    // LLM keys reach only the workers.
    for (const r of production) forEachContainer(r, (c) => {
      const llm = (c.envFrom ?? []).some((f: any) => f.secretRef?.name === 'aiopslab-llm-credentials');
      expect({ container: c.name, llm }).toEqual({ container: c.name, llm: c.name === 'worker' });
    });
  });

  test('every variable the manifests set is one the service reads (names match the services\' config exactly)', () => {
    const known = serviceEnvNames();
    const config = find(production, 'ConfigMap', 'aiopslab-config').data as Record<string, string>;
    const serviceOf: Record<string, ServiceName> = { api: 'api', history: 'history', worker: 'worker', migrate: 'migrate' };
    const problems: string[] = [];
    for (const r of production) {
      forEachContainer(r, (c, init) => {
        if (init) return;
        const service = serviceOf[c.name];
        if (!service) return; // third-party images (the registry cache, the node tuning's pause)
        const names = new Set<string>((c.env ?? []).map((e: any) => e.name));
        if ((c.envFrom ?? []).some((f: any) => f.configMapRef?.name === 'aiopslab-config')) Object.keys(config).forEach((n) => names.add(n));
        for (const name of names) {
          const ok =
            known[service].has(name) ||
            K8S_COMPOSITION_ONLY.has(name) ||
            // the shared ConfigMap carries values for the other services too
            (name in config && Object.values(known).some((set) => set.has(name))) ||
            (service === 'worker' && (WORKER_CONTAINER_ONLY.has(name) || WORKER_REQUESTED.has(name) || passedToRunner(name)));
          if (!ok) problems.push(`${c.name}: ${name}`);
        }
      });
    }
    expect(problems).toEqual([]);
    for (const key of Object.keys(config)) expect(Object.values(known).some((set) => set.has(key))).toBe(true);
  });
});
