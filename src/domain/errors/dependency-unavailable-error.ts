import { DomainError } from './domain-error.js';

/** A store or partner the request needs cannot answer now; retrying later may succeed. */
export class DependencyUnavailableError extends DomainError {
  readonly code = 'DEPENDENCY_UNAVAILABLE';

  constructor(
    readonly dependency: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(`${dependency} is unavailable`, options);
    this.retryAfterSeconds = options?.retryAfterSeconds ?? 1;
  }

  readonly retryAfterSeconds: number;
}
