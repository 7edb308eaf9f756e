import { hasErrorName } from '../errors/app-error';
import { createAjv, createValidator } from './validator';

/** Why a message body was refused; travels in the dead letter's `x-dead-letter-reason` header. */
export type DecodeFailure = 'invalid_json' | 'schema_violation';

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; reason: DecodeFailure; detail: string };

export type MessageDecoder<T> = (content: Buffer) => DecodeResult<T>;

/** Parses a message body as JSON and validates it with ajv against `schema`. Pure; never throws. */
export function createMessageDecoder<T>(schema: object, what: string): MessageDecoder<T> {
  const validate = createValidator<T>(createAjv(), schema, what);
  return (content) => {
    let body: unknown;
    try {
      body = JSON.parse(content.toString('utf8'));
    } catch (error) {
      return { ok: false, reason: 'invalid_json', detail: `${what} is not JSON: ${(error as Error).message}` };
    }
    try {
      return { ok: true, value: validate(body) };
    } catch (error) {
      if (hasErrorName(error, 'ValidationError')) return { ok: false, reason: 'schema_violation', detail: (error as Error).message };
      throw error;
    }
  };
}
