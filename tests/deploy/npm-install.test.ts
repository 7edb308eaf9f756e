import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './support/compose';

/**
 * `npm ci` runs no dependency's install script that nobody decided on: package.json allowScripts
 * names every package in the lockfile that has one (npm 11 warns of the others; a later npm
 * blocks them). None of ours is needed, so each is denied, with the reason here.
 */
const DENIED: Record<string, string> = {
  '@prisma/engines': "downloads Prisma's schema engine, which nothing runs: migrations are shared/src/db/migrator.ts, and scripts/prisma-generate.js gives `prisma generate` a placeholder",
  prisma: 'preinstall only checks the Node version, which engines and tests/deploy/node-engines.test.ts already pin',
  '@scarf/scarf': "swagger-ui-dist's install telemetry: it only reports the download",
  'msgpackr-extract': "checks for or compiles bullmq's optional msgpack accelerator; its prebuilt platform package loads without the script",
  protobufjs: 'postinstall only warns about dependents pinning an incompatible version scheme',
  ssh2: "compiles an optional crypto binding; dockerode talks to the engine's socket, never over SSH",
  'cpu-features': 'compiles an optional CPU probe that ssh2 uses for cipher order; no SSH here',
};

const rootPackage = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  allowScripts: Record<string, boolean>;
  overrides: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { hasInstallScript?: boolean; dependencies?: Record<string, string>; link?: boolean; resolved?: string }>;
};
const nameOf = (location: string) => location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);

describe('npm install', () => {
  test('allowScripts decides every install script in the lockfile, and only those: each denied, with its reason', () => {
    const withScripts = new Set(Object.entries(lock.packages).filter(([, entry]) => entry.hasInstallScript).map(([location]) => nameOf(location)));
    expect(Object.keys(rootPackage.allowScripts).sort()).toEqual([...withScripts].sort());
    expect(rootPackage.allowScripts).toEqual(Object.fromEntries(Object.keys(DENIED).map((name) => [name, false])));
  });

  test('@prisma/streams-local (Node >= 22, only `prisma dev` loads it) is the stub, and still needed', () => {
    const stub = 'deploy/npm-stubs/prisma-streams-local';
    expect(rootPackage.overrides['@prisma/streams-local']).toBe('$@prisma/streams-local');
    expect(rootPackage.devDependencies['@prisma/streams-local']).toBe(`file:${stub}`);
    expect(lock.packages['node_modules/@prisma/streams-local']).toMatchObject({ link: true, resolved: stub });
    // When Prisma drops the dependency, drop the stub, its override and its devDependency.
    expect(Object.values(lock.packages).some((entry) => entry.dependencies?.['@prisma/streams-local'])).toBe(true);
  });
});
