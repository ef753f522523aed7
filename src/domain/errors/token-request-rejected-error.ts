import { DomainError } from './domain-error.js';

/**
 * The partner's authorisation server refused the token request (RFC 6749 section 5.2, for example
 * `invalid_client` or `invalid_scope`). Retrying the same request cannot succeed.
 */
export class TokenRequestRejectedError extends DomainError {
  readonly code = 'TOKEN_REQUEST_REJECTED';
  /** How long the refusal is repeated without asking the server again (the cooldown in force); 0 when none. */
  readonly retryAfterMs: number;

  constructor(
    /** The RFC 6749 error code, or `unexpected_response` when the answer was not an OAuth error. */
    readonly oauthError: string,
    readonly description?: string,
    options: { retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(
      `The partner's authorisation server refused the token request: ${oauthError}` +
        `${description ? ` (${description})` : ''}; check the client id, secret and scope`,
      { cause: options.cause },
    );
    this.retryAfterMs = Math.max(0, options.retryAfterMs ?? 0);
  }

  /** The same refusal, repeated during a cooldown that ends `retryAfterMs` from now. */
  repeated(retryAfterMs: number): TokenRequestRejectedError {
    return new TokenRequestRejectedError(this.oauthError, this.description, { retryAfterMs, cause: this });
  }
}
