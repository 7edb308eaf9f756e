import fs from 'node:fs';
import path from 'node:path';

/**
 * Every workspace declares what its code imports: hoisting in node_modules would otherwise hide a
 * missing dependency until the workspace is installed alone (a service's image, a published package).
 */
const ROOT = path.resolve(__dirname, '../..');
const WORKSPACES = ['shared', 'services/api', 'services/worker', 'services/history'];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(full);
    return /\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) && !/\.d\.ts$/.test(entry.name) ? [full] : [];
  });
}

/** The packages a file imports or requires (bare specifiers, by package name; not node: built-ins). */
export function importedPackages(source: string): string[] {
  const specifiers = [...source.matchAll(/(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/gm)].map((m) => m[1] ?? m[2] ?? m[3]);
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !s.startsWith('/'))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]));
}

const BUILT_INS = new Set(['fs', 'path', 'os', 'http', 'https', 'crypto', 'child_process', 'stream', 'net', 'url', 'util', 'events', 'zlib', 'timers', 'readline', 'assert']);

describe('every workspace declares its dependencies', () => {
  test.each(WORKSPACES)('%s', (workspace) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, workspace, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string> };
    const declared = new Set(Object.keys(manifest.dependencies ?? {}));
    const missing = new Map<string, string>();
    for (const file of sourceFiles(path.join(ROOT, workspace, 'src'))) {
      for (const name of importedPackages(fs.readFileSync(file, 'utf8'))) {
        // Type-only imports of @types packages come with their runtime package.
        if (name === manifest.name || BUILT_INS.has(name) || declared.has(name)) continue;
        if (!missing.has(name)) missing.set(name, path.relative(ROOT, file));
      }
    }
    expect(Object.fromEntries(missing)).toEqual({});
  });

  test('the import scan sees imports, requires and dynamic imports, and skips relative paths and built-ins', () => {
    const source = "import { a } from 'express';\nimport type { B } from '@aiopslab/shared/x/y';\nconst c = require('dockerode');\nimport os from 'node:os';\nimport { d } from './local';\nconst e = await import('pg');";
    expect(importedPackages(source)).toEqual(['express', '@aiopslab/shared', 'dockerode', 'pg']);
  });
});
