import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { createLogger } from '@aiopslab/shared/logging/logger';
import { loadWorkerSettings } from '../config';
import { hostPreflight } from './host-preflight';

describe('the Kind worker preflight runs the doctor\'s essential host checks', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'host-preflight-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('without kind, kubectl, helm or a reachable Docker engine it fails, naming each with its fix', async () => {
    const settings = loadWorkerSettings({ CLUSTER_PROVIDER: 'kind', WORK_DIR: dir }, { hostname: 'test-host' });
    const check = hostPreflight({
      settings,
      env: { PATH: path.join(dir, 'empty-bin') },
      docker: () => new Docker({ socketPath: path.join(dir, 'no-docker.sock') }),
      logger: createLogger('test', 'error', true),
    });
    const result = await check(new AbortController().signal);
    expect(result.ok).toBe(false);
    const reason = (result as { reason: string }).reason;
    expect(reason).toMatch(/^host check failed \(npm run doctor\): /);
    for (const tool of ['kind', 'kubectl', 'helm']) expect(reason).toContain(`${tool}:`);
    expect(reason).toMatch(/Docker[^|]*; fix: /);
  });
});
