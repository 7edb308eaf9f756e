import Ajv, { SchemaValidateFunction } from 'ajv';
import { amqpUrlListProblems } from '../amqp/amqp-urls';

/** The JSON Schema of one service's environment: every property is an environment variable. */
export interface EnvSchema {
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates environment variables once, reporting every bad key together, and returns a frozen,
 * typed object with defaults applied and numbers/booleans coerced. Nothing else reads process.env.
 */
export function loadConfig<T>(schema: EnvSchema, env: Record<string, string | undefined>): Readonly<T> {
  const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: false });
  ajv.addKeyword({ keyword: 'amqpUrlList', type: 'string', schemaType: 'boolean', errors: true, validate: validateAmqpUrlList });
  const validate = ajv.compile(schema);
  const candidate: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const raw = env[key];
    if (raw !== undefined && raw !== '') candidate[key] = raw;
  }
  if (!validate(candidate)) {
    const problems = (validate.errors ?? []).map((e) => {
      const key = e.instancePath.replace(/^\//, '') || String(e.params.missingProperty ?? '');
      const description = schema.properties[key]?.description;
      return `${key} ${e.message}${description ? ` (${description})` : ''}`;
    });
    throw new ConfigError(problems);
  }
  return Object.freeze(candidate) as Readonly<T>;
}

/** Keyword `amqpUrlList: true`: one AMQP URL or a comma-separated list; each bad entry is named. */
const validateAmqpUrlList: SchemaValidateFunction = (_schema: unknown, data: unknown): boolean => {
  const problems = amqpUrlListProblems(String(data));
  validateAmqpUrlList.errors = problems.map((message) => ({ keyword: 'amqpUrlList', message, params: {} }));
  return problems.length === 0;
};

/** Variables every service reads. */
export const commonEnvProperties = {
  DATABASE_URL: {
    type: 'string',
    pattern: '^postgres(ql)?://',
    default: 'postgresql://postgres:postgres@127.0.0.1:5432/aiopslab',
    description: 'PostgreSQL URL, e.g. postgresql://user:pass@host:5432/db',
  },
  AMQP_URL: {
    type: 'string',
    amqpUrlList: true,
    default: 'amqp://guest:guest@127.0.0.1:5672',
    description: "RabbitMQ URL, e.g. amqp://guest:guest@host:5672, or a cluster's nodes comma-separated: amqp://u:p@rabbit-0:5672,amqp://u:p@rabbit-1:5672 (the first that answers; on a lost connection, the next)",
  },
  QUEUE_PREFIX: {
    type: 'string',
    pattern: '^[A-Za-z0-9_.-]*$',
    default: '',
    description: "prefix of every exchange and queue name (letters, digits, . _ -); a '.' is added after one that does not end in . _ or - (newcomer-demo: newcomer-demo.status-history)",
  },
  QUEUE_TYPE: { type: 'string', enum: ['classic', 'quorum'], default: 'classic', description: 'classic or quorum' },
  LOG_LEVEL: { type: 'string', enum: ['error', 'warn', 'info', 'debug'], default: 'info' },
  LOG_FORMAT: { type: 'string', enum: ['json', 'pretty'], default: 'json', description: 'json (one object a line) or pretty (readable, coloured lines for a terminal)' },
} as const;

export interface CommonConfig {
  DATABASE_URL: string;
  AMQP_URL: string;
  QUEUE_PREFIX: string;
  QUEUE_TYPE: 'classic' | 'quorum';
  LOG_LEVEL: 'error' | 'warn' | 'info' | 'debug';
  LOG_FORMAT: 'json' | 'pretty';
}
