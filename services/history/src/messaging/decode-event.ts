import { createAjv, createValidator } from '@aiopslab/shared/schemas/validator';
import { TaskEvent, taskEventSchema } from '@aiopslab/shared/schemas/messages';
import { ValidationError } from '@aiopslab/shared/errors/app-error';

/** Why an event was refused; travels in the dead letter's `x-dead-letter-reason` header. */
export type RejectReason = 'invalid_json' | 'schema_violation' | 'unknown_task' | 'rejected_by_database';

export type DecodeResult = { ok: true; event: TaskEvent } | { ok: false; reason: RejectReason; detail: string };

export type EventDecoder = (content: Buffer) => DecodeResult;

/** Parses and validates one `task.events` body. Pure: no I/O, never throws. */
export function createEventDecoder(): EventDecoder {
  const validate = createValidator<TaskEvent>(createAjv(), taskEventSchema, 'task event');
  return (content) => {
    let body: unknown;
    try {
      body = JSON.parse(content.toString('utf8'));
    } catch (error) {
      return { ok: false, reason: 'invalid_json', detail: `body is not JSON: ${(error as Error).message}` };
    }
    try {
      return { ok: true, event: validate(body) };
    } catch (error) {
      if (error instanceof ValidationError) return { ok: false, reason: 'schema_violation', detail: error.message };
      throw error;
    }
  };
}
