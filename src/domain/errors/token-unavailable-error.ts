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
    // No cooldown holds the next request back: it asks the token endpoint again at once.
    super('partner authorisation server', { cause: options?.cause, retryAfterSeconds: 1 });
    this.message = `No partner access token: ${reason}`;
  }
}
