import { AppError } from '@aiopslab/shared/errors/app-error';

export type ClusterErrorCode = 'cluster_prerequisite_missing' | 'cluster_unavailable';

/**
 * A cluster problem. `cluster_prerequisite_missing` stops the worker at start (its message says what
 * to install or which CLUSTER_PROVIDER to choose); `cluster_unavailable` fails the task retryably.
 * Match on `name` and `code`, never with instanceof.
 */
export class ClusterError extends AppError {
  constructor(code: ClusterErrorCode, message: string, options: { cause?: unknown; extra?: Record<string, unknown> } = {}) {
    super(code, 503, message, options);
    this.name = 'ClusterError';
  }

  get retryable(): boolean {
    return this.code === 'cluster_unavailable';
  }
}
