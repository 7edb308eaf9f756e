import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, watchedPage } from './browser';
import { freePort, ServiceProcess } from './service-process';
import { createTestEnv, TestEnv } from './test-env';

/** A dashboard test's system: its database and prefix, an api and one worker as processes, and a watched chromium page. */
export interface UiSystem {
  env: TestEnv;
  /** The api's base URL. */
  base: string;
  browser: Browser;
  page: Page;
  /** Console errors, uncaught exceptions and failed requests the page saw. */
  problems: string[];
  stop(): Promise<void>;
}

export interface UiSystemOptions {
  /** Also run the history service (between api and worker). */
  history?: boolean;
  /** Extra api environment, e.g. a PRICE_TABLE. */
  apiEnv?: Record<string, string>;
  /** Extra worker environment, e.g. a short HEARTBEAT_INTERVAL_SECONDS. */
  workerEnv?: Record<string, string>;
}

/** Starts api, optionally history, and a worker (`CLUSTER_PROVIDER=none`, the given RUNNER_COMMAND), then chromium. */
export async function startUiSystem(name: string, runnerCommand: string, options: UiSystemOptions = {}): Promise<UiSystem> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ui-${name}-e2e-`));
  const env = await createTestEnv();
  const apiPort = await freePort();
  const base = `http://127.0.0.1:${apiPort}`;
  const services = [new ServiceProcess('api', 'api', { ...env.env, PORT: String(apiPort), HOST: '127.0.0.1', ...options.apiEnv }, `${base}/health`, path.join(dir, 'api.log'))];
  if (options.history) {
    const historyPort = await freePort();
    services.push(new ServiceProcess('history', 'history', { ...env.env, HEALTH_PORT: String(historyPort), HEALTH_HOST: '127.0.0.1' }, `http://127.0.0.1:${historyPort}/health`, path.join(dir, 'history.log')));
  }
  const workerPort = await freePort();
  services.push(
    new ServiceProcess(
      'worker',
      'worker',
      { ...env.env, WORKER_ID: `ui-${name}-w1`, CLUSTER_PROVIDER: 'none', RUNNER_COMMAND: runnerCommand, REFRESH_PROBLEMS_AT_START: 'false', WORK_DIR: path.join(dir, 'work'), HEALTH_PORT: String(workerPort), HEALTH_HOST: '127.0.0.1', ...options.workerEnv },
      `http://127.0.0.1:${workerPort}/health`,
      path.join(dir, 'worker.log'),
    ),
  );
  for (const service of services) await service.start();
  const browser = await launchBrowser();
  const { page, problems } = await watchedPage(browser);
  return {
    env,
    base,
    browser,
    page,
    problems,
    stop: async () => {
      await browser.close();
      for (const service of services.reverse()) await service.stop();
      await env.drop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
