import type { NextFunction, Request, Response } from 'express';
import { AppError, hasErrorName, isAppError, ValidationError } from '@aiopslab/shared/errors/app-error';
import { DatabaseUnavailableError, isDatabaseUnavailable } from '@aiopslab/shared/db/database-unavailable';
import { PROBLEM_CONTENT_TYPE, toProblemDetails } from '@aiopslab/shared/errors/problem-details';
import type { Logger } from '@aiopslab/shared/logging/logger';

/** Every error becomes RFC 9457 problem+json; unexpected ones are logged with their stack. */
export function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const normalized = normalize(error);
    if (hasErrorName(normalized, 'DatabaseUnavailableError')) {
      logger.warn('database unavailable', { method: req.method, path: req.path, error: (error as Error)?.message });
    } else if (!isAppError(normalized)) {
      logger.error('unhandled error', { method: req.method, path: req.path, error: (error as Error)?.message, stack: (error as Error)?.stack });
    }
    const problem = toProblemDetails(normalized, req.originalUrl.split('?')[0]);
    if (res.headersSent) {
      res.end();
      return;
    }
    if ((problem.status === 429 || problem.status === 503) && isAppError(normalized) && normalized.extra.retry_after) {
      res.setHeader('Retry-After', String(normalized.extra.retry_after));
    }
    res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify({ ...problem, request_id: res.locals.correlationId }));
  };
}

/** Errors thrown by libraries that still deserve a 4xx. */
function normalize(error: unknown): unknown {
  if (isAppError(error)) return error;
  if (isDatabaseUnavailable(error)) return new DatabaseUnavailableError(error);
  const e = error as { type?: string; status?: number; name?: string; message?: string };
  if (e?.name === 'URIError' || (e?.status === 400 && typeof e.message === 'string')) {
    return new ValidationError('the request URL is malformed', [{ field: '(url)', rule: 'encoding', message: 'must be valid percent-encoded UTF-8' }]);
  }
  return error;
}

export function notFoundHandler(req: Request, _res: Response, next: NextFunction): void {
  next(new AppError('route_not_found', 404, `no route ${req.method} ${req.path}; see GET /docs for the API`));
}
