import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './support/compose';
import { contextFiles, DockerIgnore } from './support/dockerignore';
import { parseCopy, parseDockerfile } from './support/dockerfile';

/**
 * Replays the shared "build" stage of the service Dockerfiles in a temporary directory, with no
 * Docker engine: every COPY takes its sources from the build context as .dockerignore leaves it
 * (so a missing or ignored source fails here as it would in `docker build`), then the stage's RUN
 * commands run there. `npm ci` is replaced by links to this checkout's installed packages (the
 * same lockfile) and `npm prune` is skipped; everything else (prisma generate, tsc -b) runs as
 * written. Then every `COPY --from=build` of the runtime stages must find its source.
 */
const SERVICES = ['api', 'worker', 'history'] as const;
const dockerfile = parseDockerfile(path.join(ROOT, 'services/api/Dockerfile'));
const buildStage = dockerfile.stages.find((s) => s.name === 'build')!;
const ignore = DockerIgnore.load(ROOT);

let fsRoot: string;
const log: string[] = [];
const inImage = (p: string) => path.join(fsRoot, p);

function copyFromContext(sources: string[], destination: string, workdir: string) {
  const target = path.posix.isAbsolute(destination) ? destination : path.posix.join(workdir, destination);
  for (const source of sources) {
    const normalized = path.posix.normalize(source).replace(/\/$/, '');
    if (!fs.existsSync(path.join(ROOT, normalized))) throw new Error(`COPY ${source}: not in the build context`);
    if (ignore.excludes(normalized)) throw new Error(`COPY ${source}: excluded by .dockerignore`);
    const isDirectory = fs.statSync(path.join(ROOT, normalized)).isDirectory();
    const files = isDirectory ? contextFiles(ROOT, ignore, normalized) : [normalized];
    for (const file of files) {
      const relative = isDirectory ? path.posix.relative(normalized, file) : path.posix.basename(file);
      const into = isDirectory || destination.endsWith('/') || sources.length > 1 ? path.posix.join(target, relative) : target;
      fs.mkdirSync(path.dirname(inImage(into)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, file), inImage(into));
      fs.chmodSync(inImage(into), fs.statSync(path.join(ROOT, file)).mode);
    }
  }
}

/** What `npm ci` would leave: the lockfile's packages (linked from this checkout) and the workspace links. */
function installDependencies(workdir: string) {
  const modules = inImage(path.posix.join(workdir, 'node_modules'));
  fs.mkdirSync(path.join(modules, '@aiopslab'), { recursive: true });
  for (const entry of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    if (entry === '@aiopslab' || entry === '.cache') continue;
    fs.symlinkSync(path.join(ROOT, 'node_modules', entry), path.join(modules, entry));
  }
  const lock = JSON.parse(fs.readFileSync(inImage(path.posix.join(workdir, 'package-lock.json')), 'utf8'));
  for (const [location, meta] of Object.entries<any>(lock.packages)) {
    if (!location.startsWith('node_modules/@aiopslab/') || !meta.link) continue;
    fs.symlinkSync(path.join('..', '..', meta.resolved), path.join(modules, location.slice('node_modules/'.length)));
  }
}

function run(command: string, workdir: string, env: Record<string, string>) {
  const result = spawnSync('sh', ['-c', command], { cwd: inImage(workdir), env: { ...process.env, ...env }, encoding: 'utf8', timeout: 150_000 });
  log.push(`$ ${command}\n${result.stdout}${result.stderr}`);
  if (result.status !== 0) throw new Error(`RUN ${command} failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
}

beforeAll(() => {
  fsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'aiopslab-image-'));
  let workdir = '/';
  const env: Record<string, string> = {};
  for (const instruction of buildStage.instructions) {
    if (instruction.keyword === 'WORKDIR') workdir = instruction.args;
    else if (instruction.keyword === 'ENV') for (const pair of instruction.args.split(/\s+/)) env[pair.split('=')[0]] = pair.split('=').slice(1).join('=');
    else if (instruction.keyword === 'COPY') {
      const copy = parseCopy(instruction);
      if (copy.from) throw new Error('the build stage copies only from the context');
      copyFromContext(copy.sources, copy.destination, workdir);
    } else if (instruction.keyword === 'RUN') {
      const script = instruction.args.replace(/--mount=\S+\s+/g, '');
      for (const command of script.split('&&').map((c) => c.trim())) {
        if (/^npm ci\b/.test(command)) installDependencies(workdir);
        else if (/^npm prune\b/.test(command)) log.push(`skipped: ${command}`);
        else run(command, workdir, env);
      }
    } else throw new Error(`the replay does not know ${instruction.keyword} (line ${instruction.line})`);
  }
}, 170_000);

afterAll(() => {
  if (fsRoot && process.env.KEEP_TEST_DATA !== '1') fs.rmSync(fsRoot, { recursive: true, force: true });
});

describe('docker build, replayed without an engine', () => {
  test('the build stage compiles the whole workspace from the context alone (prisma generate + tsc -b)', () => {
    expect(log.some((entry) => entry.startsWith('$ npm run build'))).toBe(true);
    for (const service of SERVICES) expect({ service, built: fs.existsSync(inImage(`/app/services/${service}/dist/main.js`)) }).toEqual({ service, built: true });
    expect(fs.existsSync(inImage('/app/shared/dist/db/migrate-cli.js'))).toBe(true);
    expect(fs.existsSync(inImage('/app/shared/dist/db/generated/client.js'))).toBe(true);
    // Nothing local leaked in: the context had no dist/ or generated client of this checkout.
    expect(fs.existsSync(inImage('/app/shared/src/db/generated/client.ts'))).toBe(true); // generated in the image
  });

  test.each(SERVICES)('%s: every COPY of the runtime stage finds its source', (service) => {
    const file = parseDockerfile(path.join(ROOT, `services/${service}/Dockerfile`));
    const runtime = file.stages[file.stages.length - 1];
    const missing: string[] = [];
    for (const instruction of runtime.instructions.filter((i) => i.keyword === 'COPY')) {
      const copy = parseCopy(instruction);
      for (const source of copy.sources) {
        if (copy.from === 'build') {
          if (!fs.existsSync(inImage(source))) missing.push(`--from=build ${source}`);
        } else if (!copy.from) {
          if (!fs.existsSync(path.join(ROOT, source)) || ignore.excludes(source)) missing.push(source);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  test('the built services resolve @aiopslab/shared inside the image tree, the api finds the dashboard and its libraries there, and the migrator finds prisma/migrations', () => {
    const script = [
      "const path = require('path');",
      "const shared = require.resolve('@aiopslab/shared/config/load-config', { paths: [path.resolve('services/api/dist')] });",
      "if (!shared.startsWith(process.cwd())) throw new Error('resolved outside the image: ' + shared);",
      "require('./services/api/dist/config.js').loadApiConfig({});",
      "require('./services/history/dist/config.js').loadHistoryConfig({});",
      "require('./services/worker/dist/config.js').loadWorkerSettings({});",
      "const ui = require('./services/api/dist/http/dashboard/dashboard-assets.js').loadDashboardAssets();",
      "if (!ui.uiDir.startsWith(process.cwd()) || !ui.indexHtml.includes('importmap')) throw new Error('dashboard files not in the image: ' + ui.uiDir);",
      "const migrations = path.resolve('shared/dist/db', '../../../prisma/migrations');",
      "if (!require('fs').readdirSync(migrations).some((d) => d.endsWith('_init'))) throw new Error('no migrations at ' + migrations);",
    ].join('\n');
    const result = spawnSync(process.execPath, ['-e', script], { cwd: inImage('/app'), encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
    expect(`${result.status} ${result.stderr}`).toBe('0 ');
  });
});
