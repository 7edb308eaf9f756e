import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './support/compose';
import { namesReadBy, serviceEnvNames, WORKER_CONTAINER_ONLY, WORKER_REQUESTED } from './support/service-env';
import { loadApiConfig } from '../../services/api/src/config';
import { loadHistoryConfig } from '../../services/history/src/config';
import { loadWorkerSettings } from '../../services/worker/src/config';

const example = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8');
const documented = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));

describe('.env.example', () => {
  test.each(['api', 'worker', 'history', 'migrate'] as const)('documents every variable the %s reads', (service) => {
    const missing = [...serviceEnvNames()[service]].filter((name) => !documented.has(name));
    expect(missing).toEqual([]);
  });

  test('documents the worker image entrypoint variables, the ones requested from the worker, and npm start\'s own', () => {
    const startLocal = fs.readFileSync(path.join(ROOT, 'scripts/start-local.js'), 'utf8');
    const own = [...startLocal.matchAll(/env\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]);
    expect(own.length).toBeGreaterThan(3);
    const missing = [...WORKER_CONTAINER_ONLY, ...WORKER_REQUESTED, ...own].filter((name) => !documented.has(name));
    expect(missing).toEqual([]);
  });

  test('the name collection reads what a loader asks for (and so would see a new variable)', () => {
    const names = namesReadBy((env) => [env.ALPHA, env.BETA]);
    expect([...names]).toEqual(['ALPHA', 'BETA']);
    expect(serviceEnvNames().api.has('MAX_TASK_TIMEOUT_MINUTES')).toBe(true);
    expect(serviceEnvNames().worker.has('KIND_NODE_IMAGE')).toBe(true);
  });

  test('sets no real credentials: every secret-looking variable is empty or a documented local default', () => {
    for (const match of example.matchAll(/^#?\s*([A-Z_]*(?:TOKEN|KEY|PASSWORD)[A-Z_]*)=(.*)$/gm)) {
      expect({ name: match[1], value: match[2] }).toEqual({ name: match[1], value: match[1] === 'POSTGRES_PASSWORD' || match[1] === 'RABBITMQ_PASSWORD' ? 'aiopslab' : '' });
    }
  });
});

describe('.env.example defaults (issue 12, item 6)', () => {
  /** `# NAME=value` lines of the section whose heading starts with `heading`. */
  function section(heading: string): Map<string, string> {
    const parts = example.split(/^# -{20,}\n/m);
    const index = parts.findIndex((part) => part.startsWith(`# ${heading} (`));
    return new Map([...(parts[index + 1] ?? '').matchAll(/^#\s*([A-Z][A-Z0-9_]*)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
  }

  test.each([
    ['api', () => loadApiConfig({}) as unknown as Record<string, unknown>],
    ['history', () => loadHistoryConfig({}) as unknown as Record<string, unknown>],
    ['worker', () => loadWorkerSettings({}, { hostname: 'h' }).env as unknown as Record<string, unknown>],
  ] as const)('every numeric default given in the %s section is the one the service uses', (heading, load) => {
    const defaults = load();
    const numeric = [...section(heading)].filter(([, value]) => /^\d+(\.\d+)?$/.test(value));
    expect(numeric.length).toBeGreaterThan(0);
    expect(numeric.filter(([name, value]) => name in defaults && String(defaults[name]) !== value)).toEqual([]);
  });
});
