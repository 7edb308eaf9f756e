import os from 'node:os';
import path from 'node:path';
import { commonEnvProperties, CommonConfig, ConfigError, EnvSchema, loadConfig } from '@aiopslab/shared/config/load-config';
import { callbackEnvProperties } from '@aiopslab/shared/callbacks/callback-target';
import { renamedTimeoutSettingProblems, taskTimeoutEnvProperties } from '@aiopslab/shared/config/task-timeout';
import { RetentionPolicy, retentionEnvProperties } from './maintenance/retention';
import { ClusterConfig, clusterConfigProblems, clusterEnvProperties } from './clusters/cluster-config';
import { credentialName } from './tasks/executors/secret-redactor';
import { DatabaseEnv, databaseEnvProperties } from '@aiopslab/shared/db/database-env';
import { DispatchEnv, dispatchEnvProperties } from '@aiopslab/shared/task-store/dispatch-env';

/** The worker's environment (DESIGN.md "Service conventions"); read once, by main.ts. */
export interface WorkerEnv extends CommonConfig, ClusterConfig, DatabaseEnv, DispatchEnv {
  WORKER_ID: string;
  RUNNER_COMMAND: string;
  REFRESH_PROBLEMS_AT_START: boolean;
  RUNNER_PREFLIGHT: boolean;
  HEALTH_RECHECK_BASE_SECONDS: number;
  HEALTH_RECHECK_CAP_SECONDS: number;
  ARTIFACT_DIR: string;
  SESSION_MAX_BYTES: number;
  RUNNER_ENV_PASSTHROUGH: string;
  WORK_DIR: string;
  KEEP_WORK_DIRS: boolean;
  LEASE_SECONDS: number;
  HEARTBEAT_INTERVAL_SECONDS: number;
  WORKER_STALE_SECONDS: number;
  REAPER_INTERVAL_SECONDS: number;
  DISPATCH_LOST_AFTER_SECONDS: number;
  KILL_GRACE_SECONDS: number;
  SHUTDOWN_DEADLINE_SECONDS: number;
  MAX_TASK_TIMEOUT_MINUTES: number;
  LOG_MAX_LINES: number;
  LOG_MAX_BYTES: number;
  LOG_MAX_LINE_BYTES: number;
  RETRY_BASE_SECONDS: number;
  RETRY_CAP_SECONDS: number;
  CALLBACK_ALLOW_PRIVATE: boolean;
  CALLBACK_TIMEOUT_SECONDS: number;
  CALLBACK_MAX_ATTEMPTS: number;
  CALLBACK_RETRY_BASE_SECONDS: number;
  HEALTH_HOST: string;
  HEALTH_PORT: number;
  DB_POOL_SIZE: number;
  RETENTION_TASK_DAYS: number;
  RETENTION_LOG_DAYS: number;
  RETENTION_ARTIFACT_DAYS: number;
  RETENTION_BATCH_SIZE: number;
  RETENTION_INTERVAL_SECONDS: number;
}

// Both src/ and dist/ sit beside package.json.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const WORKER_VERSION: string = (require('../package.json') as { version: string }).version;

/** The AIOpsLab runner beside the worker (services/worker/runner/bin). */
export const DEFAULT_RUNNER_COMMAND = path.resolve(__dirname, '../runner/bin/aiopslab-runner');

/**
 * Variables of the worker's own environment handed to the runner (names, or prefixes ending in
 * `*`). LLM credentials travel this way, never in the task spec; the worker's own secrets
 * (DATABASE_URL, AMQP_URL) never match.
 */
export const DEFAULT_RUNNER_ENV_PASSTHROUGH = [
  'PATH', 'HOME', 'USER', 'LANG', 'LC_*', 'TZ', 'TMPDIR', 'PYTHONPATH', 'PYTHONUNBUFFERED', 'VIRTUAL_ENV',
  '*_API_KEY', 'OPENAI_*', 'OPENROUTER_*', 'OPENAI_COMPATIBLE_*', 'AZURE_*', 'USE_WANDB', 'WANDB_*', 'LOG_TRIM',
  'TIKTOKEN_CACHE_DIR', 'DATA_GYM_CACHE_DIR', 'AIOPSLAB_RUNNER_*', 'DEMO_RUNNER_*', 'DOCKER_HOST', 'VLLM_*',
].join(',');

const seconds = (minimum: number, defaultValue: number, description: string) => ({ type: 'number', minimum, default: defaultValue, description });
const integer = (minimum: number, defaultValue: number, description: string) => ({ type: 'integer', minimum, default: defaultValue, description });

/** A worker id usable in queue names and Kind cluster names, derived from the host name. */
export function defaultWorkerId(hostname: string): string {
  // At most 38 characters: Kind cluster names (worker-<id>-kind) allow no more for the id.
  const cleaned = hostname.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 31).replace(/-+$/, '');
  return cleaned ? `worker-${cleaned}` : 'worker-1';
}

export function workerEnvSchema(hostname: string): EnvSchema {
  return {
    type: 'object',
    properties: {
      ...commonEnvProperties,
      ...databaseEnvProperties,
      ...dispatchEnvProperties,
      ...clusterEnvProperties,
      WORKER_ID: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,48}$', default: defaultWorkerId(hostname), description: 'lower-case letters, digits and -, at most 49 characters (it names the control queue and the Kind cluster)' },
      RUNNER_COMMAND: { type: 'string', minLength: 1, default: DEFAULT_RUNNER_COMMAND, description: "the runner command line, run through /bin/sh -c in the task's working directory (so paths must be absolute)" },
      REFRESH_PROBLEMS_AT_START: { type: 'boolean', default: true, description: 'true asks the runner for its problem list (RUNNER_COMMAND --list-problems) when the worker starts' },
      RUNNER_PREFLIGHT: { type: 'boolean', default: true, description: 'true: the worker consumes tasks only after RUNNER_COMMAND --list-problems succeeds, at start and after an environment failure (false for stand-in runners without --list-problems)' },
      HEALTH_RECHECK_BASE_SECONDS: seconds(0.1, 10, 'first delay before an unhealthy worker checks its environment again; doubles per failed check, with jitter'),
      HEALTH_RECHECK_CAP_SECONDS: seconds(0.1, 300, 'longest delay between health re-checks'),
      ARTIFACT_DIR: { type: 'string', default: '', description: "where each attempt's metrics_output/ and trace_output/ (and sessions over SESSION_MAX_BYTES) are kept; empty means <WORK_DIR>/artifacts" },
      SESSION_MAX_BYTES: integer(1024, 32 * 1024 * 1024, 'larger session files are kept as files under ARTIFACT_DIR instead of in the database (reading one costs a few times its size in memory)'),
      RUNNER_ENV_PASSTHROUGH: { type: 'string', pattern: '^[A-Za-z0-9_*,]*$', default: DEFAULT_RUNNER_ENV_PASSTHROUGH, description: 'comma-separated variable names (or PREFIX_*) passed to the runner' },
      WORK_DIR: { type: 'string', minLength: 1, default: path.join(os.tmpdir(), 'aiopslab-worker'), description: 'per-task working directories are created below it' },
      KEEP_WORK_DIRS: { type: 'boolean', default: false, description: 'true keeps each attempt\'s working directory after the run' },
      LEASE_SECONDS: seconds(1, 60, 'seconds a claimed task stays leased without renewal; renewed every third of it'),
      HEARTBEAT_INTERVAL_SECONDS: seconds(0.2, 15, 'worker heartbeat interval: one guarded UPDATE that also renews the WORKER_ID lease (status changes beat within half a second, coalesced)'),
      WORKER_STALE_SECONDS: seconds(1, 45, 'a worker without heartbeat for this long is marked offline by the reaper, and its WORKER_ID may be taken by a process on another host'),
      REAPER_INTERVAL_SECONDS: seconds(0.2, 10, 'how often the leader looks for expired leases'),
      DISPATCH_LOST_AFTER_SECONDS: seconds(1, 60, 'when the dispatch queue holds no ready message, the leader dispatches again the waiting tasks dispatched longer ago than this (their message was purged or lost)'),
      KILL_GRACE_SECONDS: seconds(0.2, 30, 'time between SIGTERM and SIGKILL of the runner'),
      SHUTDOWN_DEADLINE_SECONDS: seconds(0, 60, 'on SIGTERM, how long the running task may go on before it is handed back'),
      ...taskTimeoutEnvProperties,
      LOG_MAX_LINES: integer(100, 100_000, 'log lines stored per task'),
      LOG_MAX_BYTES: integer(10_000, 50 * 1024 * 1024, 'log bytes stored per task'),
      LOG_MAX_LINE_BYTES: integer(256, 16 * 1024, 'longer output lines are cut'),
      RETRY_BASE_SECONDS: seconds(0.1, 10, 'first retry delay; doubles per retry, with jitter'),
      RETRY_CAP_SECONDS: seconds(0.1, 900, 'longest retry delay'),
      ...callbackEnvProperties,
      ...retentionEnvProperties,
      CALLBACK_TIMEOUT_SECONDS: seconds(0.1, 10, 'timeout of one callback request'),
      CALLBACK_MAX_ATTEMPTS: integer(1, 5, 'callback attempts before giving up'),
      CALLBACK_RETRY_BASE_SECONDS: seconds(0.05, 2, 'first delay between callback attempts'),
      HEALTH_HOST: { type: 'string', minLength: 1, default: '0.0.0.0', description: 'address of the health/metrics server' },
      HEALTH_PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8003, description: 'port of GET /health and /metrics (the history service uses 8002); 0 picks a free port' },
      DB_POOL_SIZE: { type: 'integer', minimum: 2, maximum: 100, default: 5, description: 'PostgreSQL connections of this worker' },
    },
  };
}

/** Runtime settings in milliseconds and the values the environment does not carry. */
export interface WorkerSettings {
  env: Readonly<WorkerEnv>;
  /** Variables handed to the runner, already filtered by RUNNER_ENV_PASSTHROUGH. */
  runnerEnv: Readonly<Record<string, string>>;
  /** The worker's own environment, for the tools it runs itself (kind, kubectl, helm, docker: its PATH finds them). */
  toolEnv: Readonly<Record<string, string | undefined>>;
  hostname: string;
  version: string;
  leaseMs: number;
  heartbeatMs: number;
  staleWorkerMs: number;
  reaperIntervalMs: number;
  dispatchLostAfterMs: number;
  killGraceMs: number;
  shutdownDeadlineMs: number;
  retryPolicy: { baseMs: number; capMs: number };
  /** Backoff of an unhealthy worker's re-checks. */
  healthRecheckPolicy: { baseMs: number; capMs: number };
  /** ARTIFACT_DIR, resolved: <artifactDir>/<task id>/<attempt>/ holds an attempt's kept files. */
  artifactDir: string;
  callbackRetryPolicy: { baseMs: number; capMs: number };
  /** What the reaper leader prunes, and how often (services/worker/src/maintenance/retention.ts). */
  retention: RetentionPolicy;
  /** How long one "minute" of timeout_minutes lasts; tests shorten it. */
  timeoutMinuteMs: number;
}

/** Values no environment variable sets: for tests (e.g. a 1-second "minute" of task timeout). */
export interface WorkerOverrides {
  timeoutMinuteMs?: number;
  hostname?: string;
}

/** Matches names against `NAME` and `PREFIX*` / `*SUFFIX` patterns. */
export function selectPassthrough(env: Record<string, string | undefined>, patterns: string): Record<string, string> {
  const rules = patterns.split(',').map((p) => p.trim()).filter(Boolean);
  const matches = (name: string) =>
    rules.some((rule) => (rule.endsWith('*') ? name.startsWith(rule.slice(0, -1)) : rule.startsWith('*') ? name.endsWith(rule.slice(1)) : name === rule));
  const selected: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && matches(name) && !(name in commonEnvProperties)) selected[name] = value;
  }
  return selected;
}

/** The program of a command line when it is a relative path (`./run`, `bin/run`), else null. */
export function relativeProgram(command: string): string | null {
  const words = command.trim().split(/\s+/);
  const program = words.find((word) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) ?? '';
  const unquoted = program.replace(/^['"]|['"]$/g, '');
  return unquoted.includes('/') && !/^[/~$]/.test(unquoted) ? unquoted : null;
}

/**
 * In localhost shell mode the agent's commands run as the runner's children, so they can read the
 * runner's environment (/proc/$PPID/environ) and with it the LLM keys passed through to it: an
 * agent could spend them, or print them where the redactor misses a transformed copy.
 */
function localhostShellKeyProblem(config: WorkerEnv, runnerEnv: Record<string, string>): string | null {
  if (config.CLUSTER_PROVIDER !== 'existing' || config.EXISTING_AGENT_SHELL !== 'localhost' || config.EXISTING_LOCALHOST_SHELL_ALLOW_CREDENTIALS) return null;
  const keys = Object.keys(runnerEnv).filter((name) => credentialName(name));
  if (keys.length === 0) return null;
  return `EXISTING_AGENT_SHELL=localhost runs the agent's commands beside the runner, where they can read its environment, and ${keys.join(', ')} would be in it: use EXISTING_AGENT_SHELL=ssh, keep the keys out of RUNNER_ENV_PASSTHROUGH, or accept the risk with EXISTING_LOCALHOST_SHELL_ALLOW_CREDENTIALS=true`;
}

/** A rule that spans variables, reported like the schema's own problems. */
function configError(problem: string): ConfigError {
  return new ConfigError([problem]);
}

export function loadWorkerSettings(env: Record<string, string | undefined>, overrides: WorkerOverrides = {}): WorkerSettings {
  const hostname = overrides.hostname ?? os.hostname();
  const renamed = renamedTimeoutSettingProblems(env);
  if (renamed.length > 0) throw new ConfigError(renamed);
  const config = loadConfig<WorkerEnv>(workerEnvSchema(hostname), env);
  const program = relativeProgram(config.RUNNER_COMMAND);
  if (program) throw configError(`RUNNER_COMMAND runs in each task's working directory, so its program must be an absolute path (or a name on PATH), not ${program}`);
  const [clusterProblem] = clusterConfigProblems(config);
  if (clusterProblem) throw configError(clusterProblem);
  if (config.RETRY_CAP_SECONDS < config.RETRY_BASE_SECONDS) {
    throw configError('RETRY_CAP_SECONDS must not be below RETRY_BASE_SECONDS');
  }
  if (config.HEALTH_RECHECK_CAP_SECONDS < config.HEALTH_RECHECK_BASE_SECONDS) {
    throw configError('HEALTH_RECHECK_CAP_SECONDS must not be below HEALTH_RECHECK_BASE_SECONDS');
  }
  if (config.ARTIFACT_DIR && !path.isAbsolute(config.ARTIFACT_DIR)) {
    throw configError(`ARTIFACT_DIR must be an absolute path, not ${config.ARTIFACT_DIR}`);
  }
  if (config.HEARTBEAT_INTERVAL_SECONDS * 2 > config.WORKER_STALE_SECONDS) {
    throw configError('WORKER_STALE_SECONDS must be at least twice HEARTBEAT_INTERVAL_SECONDS, or live workers would be marked offline');
  }
  const runnerEnv = selectPassthrough(env, config.RUNNER_ENV_PASSTHROUGH);
  const exposed = localhostShellKeyProblem(config, runnerEnv);
  if (exposed) throw configError(exposed);
  const ms = (s: number) => Math.round(s * 1000);
  return Object.freeze({
    env: config,
    runnerEnv: Object.freeze(runnerEnv),
    toolEnv: Object.freeze({ ...env }),
    hostname,
    version: WORKER_VERSION,
    leaseMs: ms(config.LEASE_SECONDS),
    heartbeatMs: ms(config.HEARTBEAT_INTERVAL_SECONDS),
    staleWorkerMs: ms(config.WORKER_STALE_SECONDS),
    reaperIntervalMs: ms(config.REAPER_INTERVAL_SECONDS),
    dispatchLostAfterMs: ms(config.DISPATCH_LOST_AFTER_SECONDS),
    killGraceMs: ms(config.KILL_GRACE_SECONDS),
    shutdownDeadlineMs: ms(config.SHUTDOWN_DEADLINE_SECONDS),
    retryPolicy: { baseMs: ms(config.RETRY_BASE_SECONDS), capMs: ms(config.RETRY_CAP_SECONDS) },
    healthRecheckPolicy: { baseMs: ms(config.HEALTH_RECHECK_BASE_SECONDS), capMs: ms(config.HEALTH_RECHECK_CAP_SECONDS) },
    artifactDir: config.ARTIFACT_DIR || path.resolve(config.WORK_DIR, 'artifacts'),
    callbackRetryPolicy: { baseMs: ms(config.CALLBACK_RETRY_BASE_SECONDS), capMs: 60_000 },
    retention: {
      taskDays: config.RETENTION_TASK_DAYS,
      logDays: config.RETENTION_LOG_DAYS,
      artifactDays: config.RETENTION_ARTIFACT_DAYS,
      batchSize: config.RETENTION_BATCH_SIZE,
      intervalMs: ms(config.RETENTION_INTERVAL_SECONDS),
      budgetMs: 2000, // well inside the reaper lease (3 × REAPER_INTERVAL_SECONDS, maintenance/lease-leader.ts)
    },
    timeoutMinuteMs: overrides.timeoutMinuteMs ?? 60_000,
  });
}
