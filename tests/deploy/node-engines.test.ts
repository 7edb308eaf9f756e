import fs from 'node:fs';
import path from 'node:path';
import { loadApiConfig } from '../../services/api/src/config';
import { loadHistoryConfig } from '../../services/history/src/config';
import { loadWorkerSettings } from '../../services/worker/src/config';
import { ROOT } from './support/compose';
import { expandArgs, parseDockerfile } from './support/dockerfile';

/**
 * `engines` tells the truth: every installed package accepts every Node version the root
 * package.json admits (so `npm ci` warns of no engine), and the container images run a supported
 * LTS inside that range. And each image's HEALTHCHECK probes the port its service listens on by
 * default.
 */
// semver is not a dependency of the project; ts-jest's copy (7.x) has `subset` and `satisfies`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const semver = require(require.resolve('semver', { paths: [path.dirname(require.resolve('ts-jest'))] })) as {
  subset(sub: string, dom: string): boolean;
  satisfies(version: string, range: string): boolean;
};

/**
 * Packages whose engines exclude part of ours, with the reason they do no harm: none. The one
 * there was, @prisma/streams-local (Node >= 22, loaded only by `prisma dev`, which this project
 * never runs), is replaced by deploy/npm-stubs/prisma-streams-local through package.json overrides.
 */
const EXPLAINED: Record<string, string> = {};
/** Node release lines supported (LTS, not past end of life) in November 2026. */
const SUPPORTED_LTS_MAJORS = [22, 24];

const rootPackage = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };

describe('Node engines', () => {
  test('every package in the lockfile accepts every Node version package.json admits, except the explained ones', () => {
    const ours = rootPackage.engines.node;
    const narrower: string[] = [];
    for (const [location, entry] of Object.entries(lock.packages)) {
      const wanted = !location || Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (wanted && !semver.subset(ours, wanted)) narrower.push(`${location} wants node ${wanted}`);
    }
    expect(narrower.filter((line) => !Object.keys(EXPLAINED).some((name) => line.startsWith(`${name} `)))).toEqual([]);
  });

  test('the Node running these tests is inside engines (so npm ci here is honest about it)', () => {
    expect(semver.satisfies(process.versions.node, rootPackage.engines.node)).toBe(true);
  });

  test.each(['api', 'worker', 'history'])('%s: the image runs a supported Node LTS that engines admits', (service) => {
    const file = parseDockerfile(path.join(ROOT, `services/${service}/Dockerfile`));
    const image = expandArgs('${NODE_IMAGE}', file.globalArgs);
    const major = Number(/^node:(\d+)/.exec(image)?.[1]);
    expect(SUPPORTED_LTS_MAJORS).toContain(major);
    expect(semver.satisfies(`${major}.99.0`, rootPackage.engines.node)).toBe(true); // a current release of that line
  });

  test.each([
    ['api', 'PORT', () => loadApiConfig({}).PORT],
    ['worker', 'HEALTH_PORT', () => loadWorkerSettings({}, { hostname: 'h' }).env.HEALTH_PORT],
    ['history', 'HEALTH_PORT', () => loadHistoryConfig({}).HEALTH_PORT],
  ] as const)('%s: the HEALTHCHECK falls back to the port the service itself defaults to', (service, variable, defaultPort) => {
    const text = fs.readFileSync(path.join(ROOT, `services/${service}/Dockerfile`), 'utf8');
    expect(new RegExp(`process\\.env\\.${variable}\\|\\|(\\d+)`).exec(text)?.[1]).toBe(String(defaultPort()));
  });
});
