import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export const ROOT = path.resolve(__dirname, '../../..');
export const COMPOSE_FILE = path.join(ROOT, 'docker-compose.yml');

export type ComposeService = Record<string, any>;
export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  networks?: Record<string, unknown>;
}

/** Every `${VAR...}` the file interpolates, with its default when it has one. */
export function interpolatedVariables(text: string): Map<string, string | undefined> {
  const found = new Map<string, string | undefined>();
  for (const match of text.replace(/\$\$/g, '').matchAll(/\$\{(\w+)(?::?-([^}]*))?\}/g)) found.set(match[1], match[2]);
  return found;
}

/** Compose interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, $$ for a literal $. */
export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text
    .split('$$')
    .map((part) =>
      part.replace(/\$\{(\w+)(?:(:?)-([^}]*))?\}/g, (_whole, name: string, colon: string | undefined, fallback: string | undefined) => {
        const value = env[name];
        if (fallback === undefined) return value ?? '';
        const unset = value === undefined || (colon === ':' && value === '');
        return unset ? fallback : (value as string);
      }),
    )
    .join('$');
}

/** The compose file as `docker compose` sees it with the given environment (default: nothing set). */
export function loadCompose(env: Record<string, string | undefined> = {}): ComposeFile {
  const text = interpolate(fs.readFileSync(COMPOSE_FILE, 'utf8'), env);
  return YAML.parse(text, { merge: true }) as ComposeFile;
}

/** `environment:` as a map, whether written as a map or a list of KEY=VALUE. */
export function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((entry: string) => [entry.split('=')[0], entry.split('=').slice(1).join('=')]));
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]));
}

/** Compose durations ("3m", "90s", "1m30s") in seconds. */
export function durationSeconds(value: string | undefined): number {
  if (!value) return 10; // compose's default stop grace period
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|ns)/g)) {
    total += Number(amount) * ({ h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6, ns: 1e-9 } as Record<string, number>)[unit];
  }
  return total;
}

/**
 * A compose CLI of v2 or later when one is installed and answers: `docker compose` or a v2
 * `docker-compose`. Debian's docker-compose 1.29 rejects the top-level `name`, so it does not count.
 */
export function composeCli(): string[] | null {
  for (const candidate of [['docker', 'compose'], ['docker-compose']]) {
    const probe = spawnSync(candidate[0], [...candidate.slice(1), 'version', '--short'], { encoding: 'utf8', timeout: 15_000 });
    if (probe.status === 0 && Number(/^v?(\d+)\./.exec(probe.stdout.trim())?.[1]) >= 2) return candidate;
  }
  return null;
}
