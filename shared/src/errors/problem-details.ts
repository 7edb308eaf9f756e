import { isAppError } from './app-error';

/** RFC 9457 problem details, plus `code` and field-level `errors`. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  errors?: { field: string; rule: string; message: string }[];
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Unknown errors become a 500 that reveals nothing; the caller logs the original with its stack. */
export function toProblemDetails(error: unknown, instance?: string): ProblemDetails {
  if (isAppError(error)) {
    return {
      ...error.extra,
      type: `https://aiopslab-tasks.dev/problems/${error.code}`,
      title: TITLES[error.status] ?? 'Error',
      status: error.status,
      detail: error.message,
      instance,
      code: error.code,
      ...(error.details.length > 0 ? { errors: error.details } : {}),
    };
  }
  return {
    type: 'https://aiopslab-tasks.dev/problems/internal_error',
    title: TITLES[500],
    status: 500,
    detail: 'An unexpected error occurred; it has been logged. Retry later or report it with the request id.',
    instance,
    code: 'internal_error',
  };
}
