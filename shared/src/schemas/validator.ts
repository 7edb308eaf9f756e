import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { FieldError, ValidationError } from '../errors/app-error';
import { AGENT_CONFIG_REQUIRED_HINT } from './task-submission';

function depthOf(value: unknown, limit: number, depth = 0): number {
  if (depth > limit || value === null || typeof value !== 'object') return depth;
  let deepest = depth;
  for (const child of Object.values(value as object)) {
    deepest = Math.max(deepest, depthOf(child, limit, depth + 1));
    if (deepest > limit) break;
  }
  return deepest;
}

/** One ajv for every schema: formats, and `maxDepth` (PostgreSQL's jsonb rejects very deep documents). */
export function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, discriminator: true, strict: false, verbose: true });
  addFormats(ajv);
  ajv.addKeyword({
    keyword: 'maxDepth',
    type: 'object',
    schemaType: 'number',
    error: { message: (ctx) => `must not nest deeper than ${ctx.schema} levels` },
    validate: (limit: number, data: unknown) => depthOf(data, limit) <= limit,
  });
  return ajv;
}

function fieldOf(error: ErrorObject, root: string): string {
  const path = error.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
  const prefixed = [root, path].filter(Boolean).join('.');
  if (error.keyword === 'additionalProperties') return [prefixed, String(error.params.additionalProperty)].filter(Boolean).join('.');
  if (error.keyword === 'discriminator') return [prefixed, String(error.params.tag)].filter(Boolean).join('.');
  if (error.keyword === 'required') return [prefixed, String(error.params.missingProperty)].filter(Boolean).join('.');
  return prefixed || root || '(body)';
}

function messageOf(error: ErrorObject): string {
  switch (error.keyword) {
    case 'additionalProperties':
      return 'is not a known field; remove it (see GET /openapi.json for the accepted fields)';
    case 'required':
      return error.params.missingProperty === 'agent_config' ? AGENT_CONFIG_REQUIRED_HINT : 'is required';
    case 'discriminator': {
      const options = ((error.parentSchema?.oneOf ?? []) as { properties?: Record<string, { const?: unknown }> }[])
        .map((branch) => branch.properties?.[String(error.params.tag)]?.const)
        .filter((value) => value !== undefined);
      return options.length > 0 ? `must be one of: ${options.join(', ')}` : 'is not a known variant';
    }
    case 'maximum': {
      const description = (error.parentSchema as { description?: string } | undefined)?.description;
      return description ? `${error.message}: ${description}` : (error.message ?? 'is too large');
    }
    case 'enum':
      return `must be one of: ${(error.params.allowedValues as unknown[]).join(', ')}`;
    default:
      return error.message ?? 'is invalid';
  }
}

/** Maps ajv errors to field errors; drops the noise of oneOf/discriminator wrappers. */
export function toFieldErrors(errors: ErrorObject[] | null | undefined, root = ''): FieldError[] {
  const seen = new Set<string>();
  const result: FieldError[] = [];
  for (const error of errors ?? []) {
    if (error.keyword === 'if' || error.keyword === 'oneOf' || error.keyword === 'anyOf') continue;
    const fieldError = { field: fieldOf(error, root), rule: error.keyword, message: messageOf(error) };
    const key = `${fieldError.field}|${fieldError.rule}`;
    if (!seen.has(key)) {
      seen.add(key);
      result.push(fieldError);
    }
  }
  return result;
}

export interface Validator<T> {
  (data: unknown): T;
  readonly validate: ValidateFunction;
}

/** Validates (applying defaults in place) and returns the typed value, or throws a ValidationError. */
export function createValidator<T>(ajv: Ajv, schema: object, what: string): Validator<T> {
  const validate = ajv.compile(schema);
  const check = (data: unknown): T => {
    if (!validate(data)) {
      const details = toFieldErrors(validate.errors);
      throw new ValidationError(`${what} is invalid: ${details.map((d) => `${d.field} ${d.message}`).join('; ')}`, details);
    }
    return data as T;
  };
  return Object.assign(check, { validate });
}
