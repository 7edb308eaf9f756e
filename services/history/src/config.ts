import { CommonConfig, commonEnvProperties, ConfigError, loadConfig } from '@aiopslab/shared/config/load-config';
import { DatabaseEnv, databaseEnvProperties } from '@aiopslab/shared/db/database-env';

export interface HistoryConfig extends CommonConfig, DatabaseEnv {
  HEALTH_PORT: number;
  HEALTH_HOST: string;
  PREFETCH: number;
  BATCH_SIZE: number;
  BATCH_WAIT_MS: number;
  DB_RETRY_DELAY_MS: number;
  DB_RETRY_MAX_DELAY_MS: number;
  DB_POOL_SIZE: number;
  SHUTDOWN_DEADLINE_SECONDS: number;
  READY_FILE: string;
}

const historySchema = {
  type: 'object' as const,
  properties: {
    ...commonEnvProperties,
    ...databaseEnvProperties,
    HEALTH_PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 8002, description: 'port of /health and /metrics; 0 picks a free one' },
    HEALTH_HOST: { type: 'string', default: '0.0.0.0', description: 'address /health and /metrics listen on' },
    PREFETCH: { type: 'integer', minimum: 1, maximum: 5000, default: 200, description: 'unacked events held at once; at least BATCH_SIZE' },
    BATCH_SIZE: { type: 'integer', minimum: 1, maximum: 1000, default: 100, description: 'most events written by one INSERT' },
    BATCH_WAIT_MS: { type: 'integer', minimum: 0, maximum: 1000, default: 0, description: 'how long the first event after an idle spell waits for company (0: next tick); under load batches form anyway while a write is in flight' },
    DB_RETRY_DELAY_MS: { type: 'integer', minimum: 10, maximum: 60000, default: 250, description: 'pause before retrying a batch the database refused; doubles while it keeps failing' },
    DB_RETRY_MAX_DELAY_MS: { type: 'integer', minimum: 10, maximum: 300000, default: 5000, description: 'cap of that pause' },
    DB_POOL_SIZE: { type: 'integer', minimum: 1, maximum: 100, default: 4 },
    SHUTDOWN_DEADLINE_SECONDS: { type: 'integer', minimum: 1, default: 20 },
    READY_FILE: { type: 'string', default: '', description: 'file created while consuming and removed otherwise (container readiness); empty = none' },
  },
};

/** The history service's environment, validated once; cross-field rules reported like the rest. */
export function loadHistoryConfig(env: Record<string, string | undefined>): Readonly<HistoryConfig> {
  const config = loadConfig<HistoryConfig>(historySchema, env);
  const problems: string[] = [];
  if (config.PREFETCH < config.BATCH_SIZE) problems.push(`PREFETCH (${config.PREFETCH}) must be at least BATCH_SIZE (${config.BATCH_SIZE}), or batches never fill`);
  if (config.DB_RETRY_MAX_DELAY_MS < config.DB_RETRY_DELAY_MS) problems.push('DB_RETRY_MAX_DELAY_MS must be at least DB_RETRY_DELAY_MS');
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

export interface VerifyConfig {
  DATABASE_URL: string;
}

/** `npm run history:verify` reads only the database. */
export function loadVerifyConfig(env: Record<string, string | undefined>): Readonly<VerifyConfig> {
  return loadConfig<VerifyConfig>({ type: 'object', properties: { DATABASE_URL: commonEnvProperties.DATABASE_URL } }, env);
}
