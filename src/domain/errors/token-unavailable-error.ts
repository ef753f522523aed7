import { DependencyUnavailableError } from './dependency-unavailable-error.js';

/**
 * No partner access token could be obtained now: the token endpoint kept failing (network, 5xx)
 * or the caller's deadline passed while another instance was fetching. Retrying later may succeed.
 */
export class TokenUnavailableError extends DependencyUnavailableError {
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('partner authorisation server', { cause: options?.cause, retryAfterSeconds: 5 });
    this.message = `No partner access token: ${reason}`;
  }
}
