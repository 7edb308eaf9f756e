import express, { NextFunction, Request, Response } from 'express';
import { AppError } from '@aiopslab/shared/errors/app-error';
import { parseStrictJson } from '@aiopslab/shared/schemas/strict-json';

/**
 * Reads the body as text within `limitBytes` and parses it as strict JSON (no duplicate keys).
 * Wrong content types are a 415, oversized bodies a 413, malformed JSON a 400.
 */
export function jsonBody(limitBytes: number) {
  const readText = express.text({ type: () => true, limit: limitBytes, defaultCharset: 'utf-8' });
  return (req: Request, res: Response, next: NextFunction) => {
    const type = req.get('content-type') ?? '';
    if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
      next(new AppError('unsupported_media_type', 415, `send the body as JSON with Content-Type: application/json (got ${type ? JSON.stringify(type.slice(0, 100)) : 'none'})`));
      return;
    }
    readText(req, res, (error?: unknown) => {
      if (error) {
        next(bodyError(error as { type?: string; limit?: number; message?: string }, limitBytes));
        return;
      }
      try {
        req.body = parseStrictJson(typeof req.body === 'string' ? req.body : '');
        next();
      } catch (parseError) {
        next(parseError);
      }
    });
  };
}

function bodyError(error: { type?: string; message?: string }, limitBytes: number): AppError {
  switch (error.type) {
    case 'entity.too.large':
      return new AppError('payload_too_large', 413, `request body exceeds ${limitBytes} bytes; split it (POST /tasks/batch takes up to 1000 tasks)`);
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new AppError('unsupported_media_type', 415, `${error.message}; send UTF-8 JSON`);
    case 'request.aborted':
      return new AppError('request_aborted', 400, 'the client closed the request before the body arrived');
    default:
      return new AppError('bad_request', 400, `could not read the request body: ${error.message ?? 'unknown error'}`);
  }
}
