import type { RunAgent, RunProblem } from '@aiopslab/shared/tables/runs';
import { ValidationError } from '@aiopslab/shared/errors/app-error';
import type { RunCreation, RunRequest } from './run-schemas';

/**
 * A calibration run (POST /runs with `calibration: true`) measures the problems, not an agent.
 * Without `agents`, it runs the runner's reference agents (reference_agent.py): do_nothing on
 * every problem, and constant_yes too when every problem is a detection problem. constant_yes
 * answers detection only, and a grid is every problem × every agent, so a mixed selection gets
 * do_nothing alone (`problems calibrate` makes a detection run of its own for constant_yes).
 * The run's task fields carry `metadata.calibration: true`, which marks the run and its tasks.
 */
export const DO_NOTHING_AGENT: RunAgent = { label: 'do_nothing', agent_config: { kind: 'reference', name: 'do_nothing' } };
export const CONSTANT_YES_AGENT: RunAgent = { label: 'constant_yes', agent_config: { kind: 'reference', name: 'constant_yes' } };

/** The reference agents of a calibration run over these problems (pure). */
export function calibrationAgents(problems: readonly RunProblem[]): RunAgent[] {
  const allDetection = problems.length > 0 && problems.every((p) => p.task_type === 'detection');
  return allDetection ? [DO_NOTHING_AGENT, CONSTANT_YES_AGENT] : [DO_NOTHING_AGENT];
}

/** A run without agents must be a calibration run: a 400 naming `agents` otherwise. */
export function checkAgentsGiven(body: RunRequest): void {
  if (body.agents !== undefined || body.calibration === true) return;
  throw new ValidationError('a run needs agents: name them, or send "calibration": true to run the reference agents', [
    { field: 'agents', rule: 'required', message: 'is required unless "calibration" is true: e.g. [{"label":"gpt","agent_config":{"kind":"registry","name":"gpt"}}]' },
  ]);
}

/** The run as it is stored and expanded (pure): a calibration run gets its default agents and its mark. */
export function calibrated(body: RunRequest, problems: readonly RunProblem[]): RunCreation {
  checkAgentsGiven(body);
  const { calibration, agents, ...rest } = body;
  if (calibration !== true) return { ...rest, agents: agents! };
  return { ...rest, agents: agents ?? calibrationAgents(problems), metadata: { ...body.metadata, calibration: true } };
}

/** Whether a stored run is a calibration run (its task fields' metadata says so; `problems calibrate` sets it too). */
export const isCalibrationRun = (taskFields: { metadata?: Record<string, unknown> } | null | undefined): boolean => taskFields?.metadata?.calibration === true;
