import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { runWithLogContext } from '@aiopslab/shared/logging/correlation';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Takes X-Request-Id (or makes one), echoes it, and puts it on every log line of the request. */
export function requestContext(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.get('x-request-id');
  const correlationId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.locals.correlationId = correlationId;
  res.setHeader('X-Request-Id', correlationId);
  runWithLogContext({ correlation_id: correlationId }, next);
}
