/**
 * The JSON Schemas of task submission: one source for ajv validation and for the OpenAPI
 * document. `maxTimeoutMinutes` is the deployment's cap (MAX_TASK_TIMEOUT_MINUTES).
 */
export const AGENT_KINDS = ['registry', 'openai_compatible', 'scripted', 'reference'] as const;

/** The runner's built-in baselines (services/worker/runner/aiopslab_runner/reference_agent.py). */
export const REFERENCE_AGENT_NAMES = ['do_nothing', 'constant_yes'] as const;
export type ReferenceAgentName = (typeof REFERENCE_AGENT_NAMES)[number];

const JSON_DEPTH_LIMIT = 16;
const printableKey = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' } as const;

export const agentConfigSchema = {
  type: 'object',
  description: 'Which agent solves the problem (docs/runner-protocol.md).',
  discriminator: { propertyName: 'kind' },
  required: ['kind'],
  oneOf: [
    {
      type: 'object',
      title: 'AIOpsLab bundled agent',
      properties: {
        kind: { const: 'registry' },
        name: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'AgentRegistry key: gpt, qwen, deepseek, vllm, openrouter, generic' },
        params: { type: 'object', maxProperties: 64, maxDepth: 4, default: {} },
      },
      required: ['kind', 'name'],
      additionalProperties: false,
    },
    {
      type: 'object',
      title: 'OpenAI-compatible endpoint',
      properties: {
        kind: { const: 'openai_compatible' },
        base_url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048 },
        model: { type: 'string', minLength: 1, maxLength: 255 },
        api_key_env: { type: 'string', pattern: '^[A-Z_][A-Z0-9_]{0,127}$', description: "name of the worker's environment variable that holds the key; the key itself is never sent" },
        temperature: { type: 'number', minimum: 0, maximum: 2 },
        top_p: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
        max_tokens: { type: 'integer', minimum: 1, maximum: 131072 },
        extra_body: { type: 'object', maxProperties: 64, maxDepth: 4 },
        prompt_template: {
          enum: ['shell_only', 'all_apis'],
          default: 'shell_only',
          description: "shell_only (default): upstream's DOCS_SHELL_ONLY baseline prompt, only exec_shell and submit, as the paper's agents; all_apis: every API of the task",
        },
        history_token_limit: {
          type: 'integer',
          minimum: 5,
          maximum: 10000000,
          description: "each request carries the newest messages that fit in this many tokens, trimmed as upstream's gpt agent does (default 120000, upstream's): the model's context length minus max_tokens, with a margin",
        },
      },
      required: ['kind', 'base_url', 'model'],
      additionalProperties: false,
    },
    {
      type: 'object',
      title: 'Scripted replies (smoke tests)',
      properties: {
        kind: { const: 'scripted' },
        actions: { type: 'array', minItems: 1, maxItems: 1000, items: { type: 'string', maxLength: 10000 } },
      },
      required: ['kind', 'actions'],
      additionalProperties: false,
    },
    {
      type: 'object',
      title: 'Reference agent (problem health)',
      description:
        'do_nothing takes no action and submits the empty answer of the task type ("No", [], {}, a bare submit()); constant_yes submits "Yes" to a detection problem (other task types fail as agent_config errors). No LLM, no cost.',
      properties: {
        kind: { const: 'reference' },
        name: { enum: REFERENCE_AGENT_NAMES },
      },
      required: ['kind', 'name'],
      additionalProperties: false,
    },
  ],
} as const;

/** How to fix a submission without agent_config: there is no default agent (a default spent money silently). */
export const AGENT_CONFIG_REQUIRED_HINT =
  'is required: name the agent that solves the problem, e.g. {"kind":"scripted","actions":["submit(\\"Yes\\")"]} (no LLM, no cost) or {"kind":"registry","name":"gpt"}; there is no default agent';

export function taskSubmissionSchema(maxTimeoutMinutes: number) {
  return {
    type: 'object',
    properties: {
      problem_id: { type: 'string', minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$', description: 'an AIOpsLab problem id (GET /problems)' },
      agent_config: agentConfigSchema,
      max_steps: { type: 'integer', minimum: 1, maximum: 1000, default: 30 },
      timeout_minutes: { type: 'integer', minimum: 1, maximum: maxTimeoutMinutes, default: Math.min(30, maxTimeoutMinutes), description: `at most ${maxTimeoutMinutes}, this deployment's MAX_TASK_TIMEOUT_MINUTES (the workers run nothing longer)` },
      max_retries: { type: 'integer', minimum: 0, maximum: 10, default: 2 },
      priority: { type: 'integer', minimum: 0, maximum: 9, default: 0, description: '0 (lowest) to 9 (highest)' },
      callback_url: { type: 'string', format: 'uri', pattern: '^https?://', maxLength: 2048, description: 'POSTed the final state when the task ends' },
      metadata: { type: 'object', maxProperties: 128, maxDepth: JSON_DEPTH_LIMIT, default: {} },
      parameters: { type: 'object', maxProperties: 128, maxDepth: JSON_DEPTH_LIMIT, default: {} },
      idempotency_key: { ...printableKey, description: 'same key, same task: a repeated submission returns the first task' },
    },
    required: ['problem_id', 'agent_config'],
    additionalProperties: false,
  } as const;
}

export const MAX_BATCH_SIZE = 1000;

export function taskBatchSchema(maxTimeoutMinutes: number) {
  return {
    type: 'object',
    properties: { tasks: { type: 'array', minItems: 1, maxItems: MAX_BATCH_SIZE, items: taskSubmissionSchema(maxTimeoutMinutes) } },
    required: ['tasks'],
    additionalProperties: false,
  } as const;
}

export const idempotencyKeyHeaderSchema = printableKey;

export type AgentConfig =
  | { kind: 'registry'; name: string; params: Record<string, unknown> }
  | { kind: 'openai_compatible'; base_url: string; model: string; api_key_env?: string; temperature?: number; top_p?: number; max_tokens?: number; extra_body?: Record<string, unknown>; prompt_template?: 'shell_only' | 'all_apis'; history_token_limit?: number }
  | { kind: 'scripted'; actions: string[] }
  | { kind: 'reference'; name: ReferenceAgentName };

export interface TaskSubmission {
  problem_id: string;
  agent_config: AgentConfig;
  max_steps: number;
  timeout_minutes: number;
  max_retries: number;
  priority: number;
  callback_url?: string;
  metadata: Record<string, unknown>;
  parameters: Record<string, unknown>;
  idempotency_key?: string;
}
