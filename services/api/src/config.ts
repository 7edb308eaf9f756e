import { CommonConfig, commonEnvProperties, ConfigError, loadConfig } from '@aiopslab/shared/config/load-config';
import { DatabaseEnv, databaseEnvProperties } from '@aiopslab/shared/db/database-env';
import { DispatchEnv, dispatchEnvProperties } from '@aiopslab/shared/task-store/dispatch-env';
import { callbackEnvProperties } from '@aiopslab/shared/callbacks/callback-target';
import { renamedTimeoutSettingProblems, taskTimeoutEnvProperties } from '@aiopslab/shared/config/task-timeout';
import { parsePriceTable, PriceTable } from './runs/price-table';
import { withDefaultPrices } from './runs/default-prices';

export interface ApiConfig extends CommonConfig, DatabaseEnv, DispatchEnv {
  PORT: number;
  HOST: string;
  MAX_TASK_TIMEOUT_MINUTES: number;
  CALLBACK_ALLOW_PRIVATE: boolean;
  BODY_LIMIT_BYTES: number;
  BATCH_BODY_LIMIT_BYTES: number;
  VALIDATE_PROBLEM_IDS: boolean;
  API_TOKEN?: string;
  WORKER_TOKEN?: string;
  /** The host address docker compose publishes the api on (checked here, used by compose). */
  API_BIND?: string;
  RATE_LIMIT_PER_MINUTE: number;
  SHUTDOWN_DEADLINE_SECONDS: number;
  /** Runs above this many tasks need `confirm: true` (RUN_CONFIRM_LIMIT). */
  RUN_CONFIRM_LIMIT: number;
  /** Pause between passes of the run reconciler (infra retries, budget waves); 0 = no periodic pass (RUN_RECONCILE_INTERVAL_MS). */
  RUN_RECONCILE_INTERVAL_MS: number;
  /** The shipped prices (runs/default-prices.ts) with PRICE_TABLE over them. */
  PRICES: PriceTable;
  RABBITMQ_MANAGEMENT_URL: string;
  RABBITMQ_MANAGEMENT_UI_URL?: string;
}

const schema = {
  type: 'object' as const,
  properties: {
    ...commonEnvProperties,
    ...databaseEnvProperties,
    ...dispatchEnvProperties,
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8001 },
    HOST: { type: 'string', default: '0.0.0.0', description: 'address to listen on' },
    ...taskTimeoutEnvProperties,
    ...callbackEnvProperties,
    BODY_LIMIT_BYTES: { type: 'integer', minimum: 1024, default: 256 * 1024 },
    BATCH_BODY_LIMIT_BYTES: { type: 'integer', minimum: 1024, default: 16 * 1024 * 1024 },
    VALIDATE_PROBLEM_IDS: { type: 'boolean', default: true, description: 'reject problem ids missing from the catalog (GET /problems)' },
    API_TOKEN: { type: 'string', minLength: 16, description: 'bearer token required on every endpoint except /health, /metrics, /docs and /openapi.json; unset = no auth' },
    API_BIND: {
      type: 'string',
      minLength: 1,
      description: 'host address docker compose publishes the api port on (default 127.0.0.1); any other than loopback needs API_TOKEN',
    },
    WORKER_TOKEN: { type: 'string', minLength: 16, description: 'bearer token for /workers/register and /workers/heartbeat; unset = API_TOKEN' },
    RATE_LIMIT_PER_MINUTE: { type: 'integer', minimum: 0, default: 0, description: 'requests per minute per client address; 0 = unlimited' },
    SHUTDOWN_DEADLINE_SECONDS: { type: 'integer', minimum: 1, default: 20 },
    RUN_CONFIRM_LIMIT: { type: 'integer', minimum: 1, default: 5000, description: 'POST /runs over this many tasks (problems × agents × repeats) needs confirm: true' },
    RUN_RECONCILE_INTERVAL_MS: { type: 'integer', minimum: 0, default: 5000, description: 'pause between passes of the run reconciler (automatic infra retries, budgeted runs\' next waves); 0 = only on reads of a run' },
    PRICE_TABLE: {
      type: 'string',
      description: 'JSON: agent label or model name → {"input_per_million": USD, "output_per_million": USD}; prices the runs\' results (estimated cost)',
    },
    RABBITMQ_MANAGEMENT_URL: { type: 'string', pattern: '^https?://', default: 'http://guest:guest@127.0.0.1:15672', description: 'RabbitMQ management HTTP API (credentials in the URL), read by GET /queues' },
    RABBITMQ_MANAGEMENT_UI_URL: { type: 'string', pattern: '^https?://', description: 'management UI address the dashboard links to, as a browser reaches it; unset = RABBITMQ_MANAGEMENT_URL without credentials' },
  },
};

/** 127.0.0.0/8, ::1 and localhost: reachable from this host only (not from its containers either). */
function isLoopback(address: string): boolean {
  return /^127(\.\d{1,3}){3}$/.test(address) || address === '::1' || address === '[::1]' || address === 'localhost';
}

/**
 * Published beyond loopback (e.g. API_BIND=0.0.0.0), the api is reachable from the network and from
 * every container on the host, the Kind nodes where agents run shell commands included: it must
 * ask for a token there.
 */
function exposureProblems(config: Pick<ApiConfig, 'API_BIND' | 'API_TOKEN'>): string[] {
  if (config.API_BIND === undefined || isLoopback(config.API_BIND) || config.API_TOKEN) return [];
  return [`API_BIND=${config.API_BIND} publishes the api beyond this host, which requires API_TOKEN: set API_TOKEN (at least 16 characters, e.g. \`openssl rand -hex 32\`) or leave API_BIND at 127.0.0.1`];
}

export function loadApiConfig(env: Record<string, string | undefined>): Readonly<ApiConfig> {
  const renamed = renamedTimeoutSettingProblems(env);
  if (renamed.length > 0) throw new ConfigError(renamed);
  const config = loadConfig<ApiConfig & { PRICE_TABLE?: string }>(schema, env);
  const exposure = exposureProblems(config);
  if (exposure.length > 0) throw new ConfigError(exposure);
  const { PRICE_TABLE: priceTable, ...rest } = config;
  return Object.freeze({ ...rest, PRICES: withDefaultPrices(parsePriceTable(priceTable)) });
}
