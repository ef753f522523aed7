import type { AccessToken } from '../../domain/ports/token-provider.js';

/** A token with the moment it was requested, from which refresh-ahead is computed. */
export interface IssuedToken extends AccessToken {
  /** Epoch milliseconds when the token request was sent. */
  readonly issuedAt: number;
}

/** Where a TokenProvider's memory layer gets tokens: the token endpoint, or a shared cache before it. */
export interface TokenSource {
  /**
   * A token that is usable now; for `refresh`, one that is not yet due for refresh either.
   * Throws TokenRequestRejectedError (not retried) or TokenUnavailableError.
   */
  obtain(purpose: 'missing' | 'refresh'): Promise<IssuedToken>;

  /** Drops exactly `token` from this source's cache, if it has one. Never throws. */
  evict(token: AccessToken): Promise<void>;
}
