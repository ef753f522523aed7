import { DomainError } from './domain-error.js';

/**
 * The work could not start within its bounded wait: every slot of `bulkhead` (a connection pool
 * or a concurrency limit) stayed busy. The dependency itself answers; retrying later may succeed.
 */
export class OverloadedError extends DomainError {
  readonly code = 'OVERLOADED';

  constructor(
    readonly bulkhead: string,
    readonly retryAfterSeconds = 1,
    options?: { cause?: unknown },
  ) {
    super(`The service is overloaded: the ${bulkhead} bulkhead had no free slot in time. Retry after Retry-After seconds.`, options);
  }
}
