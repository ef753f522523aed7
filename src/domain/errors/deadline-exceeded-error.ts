import { DomainError } from './domain-error.js';

/**
 * Work ran past its deadline and was cancelled: a database statement past its own time limit, or
 * anything still running when the request's deadline passed. Retrying later may succeed.
 */
export class DeadlineExceededError extends DomainError {
  readonly code = 'DEADLINE_EXCEEDED';

  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
