import { DomainError } from './domain-error.js';

/**
 * The partner's authorisation server refused the token request (RFC 6749 section 5.2, for example
 * `invalid_client` or `invalid_scope`). Retrying the same request cannot succeed.
 */
export class TokenRequestRejectedError extends DomainError {
  readonly code = 'TOKEN_REQUEST_REJECTED';

  constructor(
    /** The RFC 6749 error code, or `unexpected_response` when the answer was not an OAuth error. */
    readonly oauthError: string,
    readonly description?: string,
  ) {
    super(
      `The partner's authorisation server refused the token request: ${oauthError}` +
        `${description ? ` (${description})` : ''}; check the client id, secret and scope`,
    );
  }
}
