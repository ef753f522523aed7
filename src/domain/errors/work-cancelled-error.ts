import { DomainError } from './domain-error.js';

/**
 * Work was cancelled before it finished because whoever asked for it is gone (the client closed
 * the connection) or the instance is shutting down. Nothing was completed; retrying may succeed.
 */
export class WorkCancelledError extends DomainError {
  readonly code = 'WORK_CANCELLED';

  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
