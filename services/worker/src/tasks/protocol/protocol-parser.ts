import type { ValidateFunction } from 'ajv';
import { createAjv, toFieldErrors } from '@aiopslab/shared/schemas/validator';
import { RUNNER_EVENT_TYPES, RunnerEvent, RunnerEventType, runnerEventSchemas } from '@aiopslab/shared/schemas/runner-protocol';

export type ParsedLine = { ok: true; event: RunnerEvent } | { ok: false; reason: string };

/** Parses one protocol line; never throws. */
export type ProtocolParser = (line: string) => ParsedLine;

const MAX_REASON_DETAILS = 5;

/**
 * Validates protocol lines (docs/runner-protocol.md) against the shared JSON Schemas, one per
 * event type. An invalid line yields the reason, for a `system` log line; it never stops a run.
 * Pure: compile once per process, then call for every line.
 */
export function createProtocolParser(): ProtocolParser {
  const ajv = createAjv();
  const validators = new Map<string, ValidateFunction>(RUNNER_EVENT_TYPES.map((type) => [type, ajv.compile(runnerEventSchemas[type])]));

  return (line) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      return { ok: false, reason: `not JSON (${(error as Error).message})` };
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, reason: 'not a JSON object' };
    const type = (value as { type?: unknown }).type;
    if (typeof type !== 'string') return { ok: false, reason: 'has no "type" field' };
    const validate = validators.get(type);
    if (!validate) return { ok: false, reason: `unknown event type "${type.slice(0, 64)}" (known: ${RUNNER_EVENT_TYPES.join(', ')})` };
    if (!validate(value)) {
      const problems = toFieldErrors(validate.errors).slice(0, MAX_REASON_DETAILS).map((e) => `${e.field || '(event)'} ${e.message}`);
      return { ok: false, reason: `invalid ${type as RunnerEventType} event: ${problems.join('; ')}` };
    }
    return { ok: true, event: value as RunnerEvent };
  };
}
