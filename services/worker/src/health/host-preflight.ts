import type Docker from 'dockerode';
import type { Logger } from '@aiopslab/shared/logging/logger';
import type { WorkerSettings } from '../config';
import { CHEAP_CHECKS, runHostChecks } from '../doctor/run-host-checks';
import type { CheckResult } from './worker-health';

/**
 * Without these a Kind worker cannot prepare a cluster at all: a failure stops it consuming, with the
 * doctor's fix as the reason. The other checks are logged: one worker does not know how many share
 * its host, so its inotify, memory and disk figures are a floor, not a verdict.
 */
export const BLOCKING_HOST_CHECKS: readonly string[] = ['docker', 'kind', 'kubectl', 'helm', 'node-image'];

export interface HostPreflightDeps {
  settings: WorkerSettings;
  /** The environment kind, kubectl and helm run with (its PATH finds them). */
  env: Record<string, string | undefined>;
  docker: () => Docker;
  logger: Logger;
}

/** The doctor's cheap checks (`npm run doctor`), run as the first part of a Kind worker's preflight. */
export function hostPreflight(deps: HostPreflightDeps): (signal: AbortSignal) => Promise<CheckResult> {
  return async (signal) => {
    const plan = { workers: 1, agents: [], agentsChosen: false, inotifyDir: '/proc/sys/fs/inotify', runnerTimeoutMs: 120_000 };
    const checks = await runHostChecks({ settings: deps.settings, env: deps.env, docker: deps.docker, logger: deps.logger, signal, plan }, { only: CHEAP_CHECKS });
    const blocking = checks.filter((check) => check.status === 'fail' && BLOCKING_HOST_CHECKS.includes(check.id));
    for (const check of checks.filter((c) => (c.status === 'warn' || c.status === 'fail') && !blocking.includes(c))) {
      deps.logger.warn('host check', { check: check.id, status: check.status, detail: check.detail, fix: check.fix });
    }
    if (blocking.length === 0) return { ok: true };
    return { ok: false, reason: `host check failed (npm run doctor): ${blocking.map((check) => `${check.name}: ${check.detail}; fix: ${check.fix}`).join(' | ')}` };
  };
}
