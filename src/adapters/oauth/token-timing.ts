import type { IssuedToken } from './token-source.js';

export interface TokenTimingSettings {
  /** A token is not handed out within this many milliseconds of its expiry. */
  readonly expirySkewMs: number;
  /** Past this share (0 to 1] of its usable life a token is refreshed in the background; 1 turns it off. */
  readonly refreshAheadFraction: number;
}

/** When a token stops being usable and when it is due for refresh, from issue time and lifetime. */
export class TokenTiming {
  constructor(readonly settings: TokenTimingSettings) {}

  /**
   * Expiry minus the skew. A lifetime shorter than twice the skew keeps half of it, so a short-lived
   * token is still usable rather than refetched forever.
   */
  usableUntil(token: IssuedToken): number {
    const lifetime = token.expiresAt - token.issuedAt;
    return token.expiresAt - Math.min(this.settings.expirySkewMs, lifetime / 2);
  }

  isUsable(token: IssuedToken, now: number): boolean {
    return now < this.usableUntil(token);
  }

  isRefreshDue(token: IssuedToken, now: number): boolean {
    const usableLife = this.usableUntil(token) - token.issuedAt;
    return now >= token.issuedAt + usableLife * this.settings.refreshAheadFraction;
  }
}
