import { ConfigError, type EnvSchema, loadConfig } from '@aiopslab/shared/config/load-config';
import { loadWorkerSettings, type WorkerSettings } from '../config';
import { REGISTRY_AGENTS } from './agent-credentials';

/** The doctor's own settings: what this host is planned for. Everything else is the worker's config. */
interface DoctorEnv {
  DOCTOR_WORKERS: number;
  DOCTOR_AGENTS: string;
  DOCTOR_INOTIFY_DIR: string;
  DOCTOR_RUNNER_TIMEOUT_SECONDS: number;
}

export const doctorEnvSchema: EnvSchema = {
  type: 'object',
  properties: {
    DOCTOR_WORKERS: { type: 'integer', minimum: 1, maximum: 64, default: 1, description: 'how many Kind workers this host is planned for (docker compose --scale worker=N); the thresholds scale with it' },
    DOCTOR_AGENTS: {
      type: 'string',
      pattern: '^[a-z0-9_, -]*$',
      default: '',
      description: `comma-separated registry agents whose keys must be set (${REGISTRY_AGENTS.join(', ')}); empty checks every agent and only warns`,
    },
    DOCTOR_INOTIFY_DIR: { type: 'string', minLength: 1, default: '/proc/sys/fs/inotify', description: 'directory holding max_user_instances and max_user_watches' },
    DOCTOR_RUNNER_TIMEOUT_SECONDS: { type: 'number', minimum: 1, default: 120, description: 'how long RUNNER_COMMAND --list-problems may take (the worker allows 120 s)' },
  },
};

export interface DoctorPlan {
  workers: number;
  agents: readonly string[];
  /** DOCTOR_AGENTS named them: missing keys fail instead of warn. */
  agentsChosen: boolean;
  inotifyDir: string;
  runnerTimeoutMs: number;
}

export type WorkerConfigOutcome = { valid: true; settings: WorkerSettings } | { valid: false; error: string };

export interface DoctorSettings {
  plan: DoctorPlan;
  /** Loaded with the worker's own loader, so the doctor sees exactly what a worker would. */
  worker: WorkerConfigOutcome;
}

/** Throws ConfigError for a bad DOCTOR_* value (a usage error); a bad worker setting is a finding. */
export function loadDoctorSettings(env: Record<string, string | undefined>): DoctorSettings {
  const config = loadConfig<DoctorEnv>(doctorEnvSchema, env);
  const named = config.DOCTOR_AGENTS.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = named.filter((name) => !REGISTRY_AGENTS.includes(name));
  if (unknown.length > 0) throw new ConfigError([`DOCTOR_AGENTS names unknown agents: ${unknown.join(', ')} (registry agents: ${REGISTRY_AGENTS.join(', ')})`]);
  const plan: DoctorPlan = Object.freeze({
    workers: config.DOCTOR_WORKERS,
    agents: named.length > 0 ? [...new Set(named)] : REGISTRY_AGENTS,
    agentsChosen: named.length > 0,
    inotifyDir: config.DOCTOR_INOTIFY_DIR,
    runnerTimeoutMs: Math.round(config.DOCTOR_RUNNER_TIMEOUT_SECONDS * 1000),
  });
  return { plan, worker: loadWorker(env) };
}

function loadWorker(env: Record<string, string | undefined>): WorkerConfigOutcome {
  try {
    return { valid: true, settings: loadWorkerSettings(env) };
  } catch (error) {
    return { valid: false, error: (error as Error).message };
  }
}
