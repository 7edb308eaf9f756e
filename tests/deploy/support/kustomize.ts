import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

/**
 * A small Kustomize renderer for the features k8s/ uses, so the manifests can be validated on a
 * machine without kustomize. It refuses any kustomization field it does not implement, so it
 * never silently renders something different from `kubectl kustomize`.
 */
export type Resource = Record<string, any> & { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> } };

const SUPPORTED_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'labels', 'images', 'replicas', 'secretGenerator', 'patches']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass']);

export interface RenderOptions {
  /** Files a generator reads that are not in the directory (e.g. credentials never committed). */
  readFile?: (file: string) => string;
}

export function readYamlDocuments(file: string): Resource[] {
  return YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map((doc) => {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
      return doc.toJS() as Resource | null;
    })
    .filter((doc): doc is Resource => doc !== null);
}

export function renderKustomization(dir: string, options: RenderOptions = {}): Resource[] {
  const readFile = options.readFile ?? ((file: string) => fs.readFileSync(file, 'utf8'));
  const file = path.join(dir, 'kustomization.yaml');
  const k = YAML.parse(fs.readFileSync(file, 'utf8')) as Record<string, any>;
  const unsupported = Object.keys(k).filter((key) => !SUPPORTED_FIELDS.has(key));
  if (unsupported.length) throw new Error(`${file}: the test renderer does not implement ${unsupported.join(', ')}`);

  let resources: Resource[] = [];
  for (const entry of (k.resources ?? []) as string[]) {
    const target = path.join(dir, entry);
    if (fs.statSync(target).isDirectory()) resources.push(...renderKustomization(target, options));
    else resources.push(...readYamlDocuments(target));
  }

  for (const generator of (k.secretGenerator ?? []) as any[]) {
    const data: Record<string, string> = {};
    for (const envFile of generator.envs ?? []) Object.assign(data, parseEnvFile(readFile(path.join(dir, envFile))));
    for (const literal of generator.literals ?? []) {
      const [key, ...value] = String(literal).split('=');
      data[key] = value.join('=');
    }
    const secret: Resource = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: generator.name },
      type: generator.type ?? 'Opaque',
      data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
    };
    const index = resources.findIndex((r) => r.kind === 'Secret' && r.metadata.name === generator.name);
    if (generator.behavior === 'replace' || generator.behavior === 'merge') {
      if (index === -1) throw new Error(`${file}: secretGenerator ${generator.name} has behavior ${generator.behavior} but no such Secret in the resources`);
      resources[index] = generator.behavior === 'replace' ? { ...secret, metadata: { ...resources[index].metadata } } : mergeSecret(resources[index], secret);
    } else {
      throw new Error(`${file}: the test renderer only implements secretGenerator behavior replace/merge (no name hash)`);
    }
  }

  for (const patch of (k.patches ?? []) as any[]) {
    if (!patch.path || patch.target) throw new Error(`${file}: only strategic-merge patches given by path are implemented`);
    for (const doc of readYamlDocuments(path.join(dir, patch.path))) {
      const index = resources.findIndex((r) => r.kind === doc.kind && r.metadata.name === doc.metadata.name);
      if (index === -1) throw new Error(`${file}: patch ${patch.path} targets ${doc.kind}/${doc.metadata.name}, which does not exist`);
      resources[index] = strategicMerge(resources[index], doc) as Resource;
    }
  }

  for (const set of (k.labels ?? []) as any[]) {
    if (set.includeSelectors || set.includeTemplates) throw new Error(`${file}: labels with selectors/templates are not implemented`);
    resources = resources.map((r) => ({ ...r, metadata: { ...r.metadata, labels: { ...(r.metadata.labels ?? {}), ...set.pairs } } }));
  }

  for (const image of (k.images ?? []) as any[]) {
    resources.forEach((r) => forEachContainer(r, (container) => {
      const [name, tag] = splitImage(container.image);
      if (name !== image.name) return;
      container.image = `${image.newName ?? name}${image.digest ? `@${image.digest}` : `:${image.newTag ?? tag}`}`;
    }));
  }

  for (const replica of (k.replicas ?? []) as any[]) {
    const target = resources.find((r) => ['Deployment', 'StatefulSet', 'ReplicaSet'].includes(r.kind) && r.metadata.name === replica.name);
    if (!target) throw new Error(`${file}: replicas for ${replica.name}, which does not exist`);
    target.spec.replicas = replica.count;
  }

  if (k.namespace) {
    resources = resources.map((r) => (CLUSTER_SCOPED.has(r.kind) ? r : { ...r, metadata: { ...r.metadata, namespace: k.namespace } }));
  }
  return resources;
}

export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq === -1) throw new Error(`env file line without "=": ${trimmed}`);
    values[trimmed.slice(0, eq)] = trimmed.slice(eq + 1);
  }
  return values;
}

function mergeSecret(base: Resource, generated: Resource): Resource {
  return { ...base, data: { ...(base.data ?? {}), ...generated.data } };
}

/** Maps merge key by key; lists of objects with `name` merge element by element (containers, env, volumes...). */
export function strategicMerge(base: unknown, patch: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(patch)) {
    const named = (list: unknown[]) => list.every((item) => item && typeof item === 'object' && 'name' in (item as object));
    if (!named(base) || !named(patch)) return patch;
    const result = [...base] as Record<string, unknown>[];
    const prepend: Record<string, unknown>[] = [];
    for (const item of patch as Record<string, unknown>[]) {
      const index = result.findIndex((existing) => existing.name === item.name);
      if (index === -1) prepend.push(item);
      else result[index] = strategicMerge(result[index], item) as Record<string, unknown>;
    }
    return [...prepend, ...result];
  }
  if (isObject(base) && isObject(patch)) {
    const result: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(patch)) result[key] = key in base ? strategicMerge(base[key], value) : value;
    return result;
  }
  return patch;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function podSpecOf(resource: Resource): Record<string, any> | null {
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(resource.kind)) return resource.spec?.template?.spec ?? null;
  if (resource.kind === 'CronJob') return resource.spec?.jobTemplate?.spec?.template?.spec ?? null;
  if (resource.kind === 'Pod') return resource.spec ?? null;
  return null;
}

export function forEachContainer(resource: Resource, visit: (container: Record<string, any>, init: boolean) => void): void {
  const spec = podSpecOf(resource);
  if (!spec) return;
  for (const container of spec.initContainers ?? []) visit(container, true);
  for (const container of spec.containers ?? []) visit(container, false);
}

/** "repo/name:tag" -> ["repo/name", "tag"]; a registry port is not a tag. */
export function splitImage(image: string): [string, string | undefined] {
  const withoutDigest = image.split('@')[0];
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > slash ? [withoutDigest.slice(0, colon), withoutDigest.slice(colon + 1)] : [withoutDigest, undefined];
}
