/**
 * One finished task as an ATIF trajectory (Harbor's Agent Trajectory Interchange Format,
 * docs/rfcs/0001-trajectory-format.md in laude-institute/harbor). Pure: the export line and the
 * kept AIOpsLab session in, a plain object out. The mapping is documented in
 * docs/runs-and-results.md ("Export as ATIF").
 *
 * ATIF-v1.6 is declared: every field written here exists since v1.2, and Harbor's validator
 * accepts "ATIF-v1.6" from its v1.6 release on (v1.7 ones included), while a v1.6 validator
 * would refuse "ATIF-v1.7". No v1.7-only field (trajectory_id, llm_call_count) is written.
 */
export const ATIF_SCHEMA_VERSION = 'ATIF-v1.6';

type Json = Record<string, unknown>;

/** The fields of an export line (lineOf) that the mapping reads. */
export interface AtifExportLine {
  task_id: string;
  run_id: string | null;
  agent_label: string | null;
  repeat_index: number | null;
  problem_id: string;
  task_type: string | null;
  status: string;
  attempt: number;
  solved: boolean;
  outcome_class: string | null;
  outcome_origin: string | null;
  results: Json | null;
  usage: Json | null;
  session_id: string | null;
  setup: { task_description?: unknown; instructions?: unknown; apis?: unknown } | null;
  durations: Json;
  error: unknown;
  agent_config: unknown;
  created_at: string | null;
  completed_at: string | null;
  trajectory: { n?: number; action?: unknown; observation?: unknown; usage?: Json | null; ts?: string | null }[];
  trajectory_truncated: boolean;
}

/** The kept session of the line's attempt (GET /tasks/{id}/session), or null when none was kept. */
export interface AtifSession {
  source: string;
  truncated_in_result: boolean;
  session: { agent?: unknown; session_id?: unknown; start_time?: unknown; end_time?: unknown; trace?: unknown; [key: string]: unknown };
}

export interface AtifStep {
  step_id: number;
  source: 'system' | 'user' | 'agent';
  message: string;
  timestamp?: string;
  model_name?: string;
  observation?: { results: { content: string }[] };
  metrics?: { prompt_tokens?: number; completion_tokens?: number; extra?: Json };
  extra?: Json;
}

export interface AtifTrajectory {
  schema_version: string;
  session_id: string;
  agent: { name: string; version: string; model_name?: string; extra: Json };
  steps: AtifStep[];
  notes: string;
  final_metrics: { total_prompt_tokens?: number; total_completion_tokens?: number; total_steps: number; extra: Json };
  extra: Json;
}

/** One message of the run: who said it and what; the usage of the LLM call behind it, if known. */
interface Message {
  role: string;
  content: string;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : value === null || value === undefined ? '' : JSON.stringify(value));
const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined);
const isoTimestamp = (value: unknown): string | undefined => (typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? value : undefined);

/** The raw messages: the session's trace when one was kept, else the trajectory's actions and observations. */
function messagesOf(line: AtifExportLine, session: AtifSession | null): { messages: Message[]; from: 'session' | 'trajectory' } {
  const trace = session?.session.trace;
  if (Array.isArray(trace) && trace.length > 0) {
    return { messages: trace.map((item) => ({ role: text((item as Json)?.role), content: text((item as Json)?.content) })), from: 'session' };
  }
  const messages = line.trajectory.flatMap((step) => {
    const pair: Message[] = [{ role: 'assistant', content: text(step.action) }];
    if (step.observation !== null && step.observation !== undefined) pair.push({ role: 'env', content: text(step.observation) });
    return pair;
  });
  return { messages, from: 'trajectory' };
}

function agentOf(line: AtifExportLine, session: AtifSession | null): AtifTrajectory['agent'] {
  const config = (line.agent_config && typeof line.agent_config === 'object' ? line.agent_config : {}) as Json;
  const name = typeof config.name === 'string' ? config.name : typeof session?.session.agent === 'string' ? session.session.agent : text(config.kind) || 'unknown';
  const agent: AtifTrajectory['agent'] = { name, version: 'unknown', extra: { agent_label: line.agent_label, agent_config: line.agent_config } };
  if (typeof config.model === 'string') agent.model_name = config.model;
  return agent;
}

/** The problem as AIOpsLab handed it to the agent: a system step, then the instructions as a user step. */
function setupSteps(line: AtifExportLine): Omit<AtifStep, 'step_id'>[] {
  if (!line.setup) return [];
  const steps: Omit<AtifStep, 'step_id'>[] = [];
  if (text(line.setup.task_description)) steps.push({ source: 'system', message: text(line.setup.task_description), extra: { aiopslab: 'task_description', apis: line.setup.apis ?? null } });
  if (text(line.setup.instructions)) steps.push({ source: 'user', message: text(line.setup.instructions), extra: { aiopslab: 'instructions' } });
  return steps;
}

/**
 * Messages to steps: an assistant message is an agent step; the env message after it is that
 * step's observation; an env message with no agent step before it, and any other role, becomes a
 * system (or user) step of its own. The n-th agent step gets the n-th trajectory step's usage.
 */
function conversationSteps(line: AtifExportLine, messages: Message[], model: string | undefined): Omit<AtifStep, 'step_id'>[] {
  const steps: Omit<AtifStep, 'step_id'>[] = [];
  let agentSteps = 0;
  let open: Omit<AtifStep, 'step_id'> | null = null;
  for (const m of messages) {
    if (m.role === 'assistant') {
      const recorded = line.trajectory[agentSteps];
      agentSteps += 1;
      open = { source: 'agent', message: m.content, extra: { aiopslab_role: 'assistant', n: agentSteps } };
      if (model) open.model_name = model;
      const timestamp = isoTimestamp(recorded?.ts);
      if (timestamp) open.timestamp = timestamp;
      const metrics = metricsOf(recorded?.usage ?? null);
      if (metrics) open.metrics = metrics;
      steps.push(open);
    } else if (m.role === 'env' && open && !open.observation) {
      open.observation = { results: [{ content: m.content }] };
    } else {
      open = null;
      const source = m.role === 'user' ? 'user' : 'system';
      steps.push(m.role === 'env' ? { source, message: '', observation: { results: [{ content: m.content }] }, extra: { aiopslab_role: 'env' } } : { source, message: m.content, extra: { aiopslab_role: m.role } });
    }
  }
  return steps;
}

function metricsOf(usage: Json | null): AtifStep['metrics'] | undefined {
  if (!usage) return undefined;
  const prompt = count(usage.prompt_tokens);
  const completion = count(usage.completion_tokens);
  if (prompt === undefined && completion === undefined) return undefined;
  const metrics: NonNullable<AtifStep['metrics']> = {};
  if (prompt !== undefined) metrics.prompt_tokens = prompt;
  if (completion !== undefined) metrics.completion_tokens = completion;
  return metrics;
}

/** A task that ended before any message still gets one step, saying how it ended (ATIF needs ≥ 1 step). */
function endStep(line: AtifExportLine): Omit<AtifStep, 'step_id'> {
  const error = line.error && typeof line.error === 'object' ? (line.error as Json) : null;
  const why = error ? `: ${text(error.message ?? error.kind)}` : '';
  return { source: 'system', message: `The task ended ${line.status} (${line.outcome_class ?? 'not scored'}) before the agent took a step${why}`, extra: { aiopslab: 'no_messages', error: line.error ?? null } };
}

function finalMetrics(steps: AtifStep[]): AtifTrajectory['final_metrics'] {
  const sum = (key: 'prompt_tokens' | 'completion_tokens') => {
    const values = steps.map((s) => s.metrics?.[key]).filter((v): v is number => v !== undefined);
    return values.length ? values.reduce((a, b) => a + b, 0) : undefined;
  };
  const metrics: AtifTrajectory['final_metrics'] = { total_steps: steps.length, extra: {} };
  const prompt = sum('prompt_tokens');
  const completion = sum('completion_tokens');
  if (prompt !== undefined) metrics.total_prompt_tokens = prompt;
  if (completion !== undefined) metrics.total_completion_tokens = completion;
  return metrics;
}

/** The ATIF trajectory of one finished task (pure). */
export function toAtifTrajectory(line: AtifExportLine, session: AtifSession | null): AtifTrajectory {
  const agent = agentOf(line, session);
  const { messages, from } = messagesOf(line, session);
  const body = [...setupSteps(line), ...conversationSteps(line, messages, agent.model_name)];
  if (!body.some((s) => s.source === 'agent')) body.push(endStep(line));
  const steps = body.map((step, i) => ({ step_id: i + 1, ...step }));
  const final = finalMetrics(steps);
  final.extra = { aiopslab_usage: line.usage ?? null, durations: line.durations };
  const sessionId = typeof session?.session.session_id === 'string' ? session.session.session_id : (line.session_id ?? line.task_id);
  return {
    schema_version: ATIF_SCHEMA_VERSION,
    session_id: sessionId,
    agent,
    steps,
    notes: from === 'session'
      ? 'Messages are the AIOpsLab session trace (assistant: the agent\'s reply, parsed by the orchestrator as its action; env: the environment\'s answer, the step\'s observation). AIOpsLab agents act in text, so steps carry no tool_calls.'
      : 'No session was kept for this attempt: the messages are the recorded trajectory\'s actions and observations.',
    final_metrics: final,
    extra: {
      task_id: line.task_id, run_id: line.run_id, agent_label: line.agent_label, repeat_index: line.repeat_index, problem_id: line.problem_id, task_type: line.task_type,
      status: line.status, attempt: line.attempt, solved: line.solved, outcome_class: line.outcome_class, outcome_origin: line.outcome_origin, results: line.results,
      error: line.error ?? null, created_at: line.created_at, completed_at: line.completed_at, messages_from: from, session_source: session?.source ?? null,
      session_truncated: session?.truncated_in_result ?? false, trajectory_truncated: line.trajectory_truncated,
      session_start_time: session?.session.start_time ?? null, session_end_time: session?.session.end_time ?? null,
    },
  };
}
