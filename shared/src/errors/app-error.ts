/** One field-level problem: which field, which rule, what to do. */
export interface FieldError {
  field: string;
  rule: string;
  message: string;
}

export interface AppErrorOptions {
  details?: FieldError[];
  cause?: unknown;
  extra?: Record<string, unknown>;
}

/** The base of every expected error; the API maps it to RFC 9457 problem+json. */
export class AppError extends Error {
  readonly details: FieldError[];
  readonly extra: Record<string, unknown>;

  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.details = options.details ?? [];
    this.extra = options.extra ?? {};
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details: FieldError[] = [], extra: Record<string, unknown> = {}) {
    super('validation_failed', 400, message, { details, extra });
    this.name = 'ValidationError';
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string) {
    super('not_found', 404, `${what} ${id} does not exist`);
    this.name = 'NotFoundError';
  }
}

/**
 * THE way to match an error: by its `name` (BullMQ's rule), which holds across module copies (a
 * bundled or duplicated shared package) where `instanceof` would not.
 */
export function hasErrorName(error: unknown, ...names: string[]): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && names.includes(name);
}

/** Any AppError subclass, by its shape: a string code, a numeric status and field details. */
export function isAppError(error: unknown): error is AppError {
  const candidate = error as Partial<AppError> | null;
  return typeof candidate === 'object' && candidate !== null && typeof candidate.code === 'string' && typeof candidate.status === 'number' && Array.isArray(candidate.details);
}

export function isNotFound(error: unknown): error is NotFoundError {
  return hasErrorName(error, 'NotFoundError');
}

export class ConflictError extends AppError {
  constructor(code: string, message: string, extra: Record<string, unknown> = {}) {
    super(code, 409, message, { extra });
    this.name = 'ConflictError';
  }
}
