import type { TokenTimingSettings } from './token-timing.js';

export interface TokenCacheSettings extends TokenTimingSettings {
  /** After the server refuses the client, callers get the same error without a request for this long. */
  readonly rejectionCooldownMs: number;
  /** A failed background refresh is not tried again for this long (the current token stays in use). */
  readonly refreshRetryDelayMs: number;
}
