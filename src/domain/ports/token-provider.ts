/** An OAuth2 access token as the domain sees it. */
export interface AccessToken {
  readonly value: string;
  /** Epoch milliseconds after which the token must not be sent. */
  readonly expiresAt: number;
}

/** Hands out partner access tokens (OAuth2 client credentials), shared by every instance. */
export interface TokenProvider {
  /**
   * A token that is valid now (never one past its expiry minus the configured safety skew).
   * Concurrent callers, in this process and across processes, share a single fetch.
   * Throws TokenRequestRejectedError when the authorisation server refuses the client (not retried;
   * repeated for a short cooldown without asking again), or TokenUnavailableError when no token can
   * be obtained (the endpoint kept failing, or the wait for another instance's fetch timed out).
   */
  getToken(): Promise<AccessToken>;

  /**
   * Reports that the partner rejected `token` (401 invalid_token). Evicts exactly that token from
   * every cache layer, never a newer one another caller stored meanwhile. Idempotent.
   */
  invalidate(token: AccessToken): Promise<void>;
}
