/**
 * The JSON Schema of every event a runner writes on its protocol fd (docs/runner-protocol.md,
 * version 1): one schema per event type, discriminated by `type`. Unknown extra fields are
 * allowed (a newer runner may add some); `ts` is informational only.
 */
export const RUNNER_PROTOCOL_VERSION = 1;

/** The protocol's line limit (newline excluded); longer lines are discarded with a note. */
export const MAX_PROTOCOL_LINE_BYTES = 1024 * 1024;

export const RUNNER_EVENT_TYPES = ['log', 'session_started', 'setup_done', 'step', 'metric', 'result', 'error', 'problems'] as const;
export type RunnerEventType = (typeof RUNNER_EVENT_TYPES)[number];

export const RUNNER_LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const;
export const RUNNER_ERROR_PHASES = ['setup', 'loop', 'eval', 'teardown'] as const;
/** Whose fault an error is: the task's (the default), or the worker's environment (docs/runner-protocol.md). */
export const RUNNER_ERROR_ORIGINS = ['task', 'environment'] as const;

const text = (maxLength = MAX_PROTOCOL_LINE_BYTES) => ({ type: 'string', maxLength }) as const;
const seconds = { type: ['number', 'null'], minimum: 0 } as const;
const tokens = { type: ['integer', 'null'], minimum: 0 } as const;
const common = { ts: text(64) } as const;

function event<P extends Record<string, unknown>, R extends readonly string[]>(type: RunnerEventType, properties: P, required: R) {
  return {
    type: 'object',
    properties: { type: { const: type }, ...common, ...properties },
    required: ['type', ...required],
    additionalProperties: true,
  } as const;
}

export const runnerEventSchemas = {
  log: event('log', { level: { type: 'string', enum: RUNNER_LOG_LEVELS }, message: text() }, ['level', 'message'] as const),
  session_started: event('session_started', { session_id: text(255) }, ['session_id'] as const),
  setup_done: event(
    'setup_done',
    { task_description: { type: ['string', 'null'] }, instructions: { type: ['string', 'null'] }, apis: { type: 'object' }, duration_s: seconds },
    ['task_description', 'instructions', 'apis', 'duration_s'] as const,
  ),
  step: event(
    'step',
    {
      n: { type: 'integer', minimum: 1 },
      action: { type: ['string', 'null'] },
      observation: {},
      duration_s: seconds,
      usage: {
        type: ['object', 'null'],
        properties: { prompt_tokens: tokens, completion_tokens: tokens, total_tokens: tokens },
        additionalProperties: true,
      },
    },
    ['n', 'action', 'observation'] as const,
  ),
  metric: event('metric', { name: text(255), value: { type: 'number' }, unit: { type: ['string', 'null'], maxLength: 64 } }, ['name', 'value'] as const),
  result: event(
    'result',
    {
      results: { type: 'object' },
      framework_overhead: { type: ['number', 'null'] },
      session: { type: ['object', 'null'] },
      durations: {
        type: ['object', 'null'],
        properties: { setup_s: seconds, loop_s: seconds, teardown_s: seconds },
        additionalProperties: true,
      },
    },
    ['results', 'framework_overhead', 'session'] as const,
  ),
  error: event(
    'error',
    {
      phase: { type: 'string', enum: RUNNER_ERROR_PHASES },
      error_type: text(255),
      message: text(),
      traceback: { type: ['string', 'null'] },
      retryable: { type: 'boolean' },
      origin: { type: 'string', enum: RUNNER_ERROR_ORIGINS },
      cluster_touched: { type: 'boolean' },
    },
    ['phase', 'error_type', 'message', 'retryable'] as const,
  ),
  problems: event(
    'problems',
    {
      problems: {
        type: 'array',
        items: { type: 'object', properties: { id: text(200), task_type: text(64) }, required: ['id', 'task_type'], additionalProperties: true },
      },
    },
    ['problems'] as const,
  ),
} as const;

/** All events in one schema (ajv's discriminator picks the branch by `type`). */
export const runnerEventSchema = {
  type: 'object',
  discriminator: { propertyName: 'type' },
  required: ['type'],
  oneOf: RUNNER_EVENT_TYPES.map((type) => runnerEventSchemas[type]),
} as const;

interface EventBase {
  ts?: string;
}

export interface StepUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_tokens?: number | null;
}

export interface RunDurations {
  setup_s?: number | null;
  loop_s?: number | null;
  teardown_s?: number | null;
}

export type RunnerLogEvent = EventBase & { type: 'log'; level: (typeof RUNNER_LOG_LEVELS)[number]; message: string };
export type SessionStartedEvent = EventBase & { type: 'session_started'; session_id: string };
export type SetupDoneEvent = EventBase & {
  type: 'setup_done';
  task_description: string | null;
  instructions: string | null;
  apis: Record<string, unknown>;
  duration_s: number | null;
};
export type StepEvent = EventBase & {
  type: 'step';
  n: number;
  action: string | null;
  observation: unknown;
  duration_s?: number | null;
  usage?: StepUsage | null;
};
export type MetricEvent = EventBase & { type: 'metric'; name: string; value: number; unit?: string | null };
export type ResultEvent = EventBase & {
  type: 'result';
  results: Record<string, unknown>;
  framework_overhead: number | null;
  session: Record<string, unknown> | null;
  durations?: RunDurations | null;
};
export type RunnerErrorEvent = EventBase & {
  type: 'error';
  phase: (typeof RUNNER_ERROR_PHASES)[number];
  error_type: string;
  message: string;
  traceback?: string | null;
  retryable: boolean;
  /** Absent means `task`. `environment`: the task is handed back uncounted and the worker turns unhealthy. */
  origin?: (typeof RUNNER_ERROR_ORIGINS)[number];
  /** false: the runner failed before it reached the cluster (a bad spec or agent config, an unsupported problem), which stays clean. Absent: taken as touched. */
  cluster_touched?: boolean;
};
export type ProblemsEvent = EventBase & { type: 'problems'; problems: { id: string; task_type: string }[] };

export type RunnerEvent = RunnerLogEvent | SessionStartedEvent | SetupDoneEvent | StepEvent | MetricEvent | ResultEvent | RunnerErrorEvent | ProblemsEvent;
