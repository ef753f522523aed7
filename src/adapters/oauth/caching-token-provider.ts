import { TokenRequestRejectedError } from '../../domain/errors/token-request-rejected-error.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { Logger } from '../../domain/ports/logger.js';
import type { AccessToken, TokenProvider } from '../../domain/ports/token-provider.js';
import type { TokenCacheSettings } from './token-cache-settings.js';
import { NO_TOKEN_METRICS, type TokenMetrics } from './token-metrics.js';
import type { IssuedToken, TokenSource } from './token-source.js';
import { TokenTiming } from './token-timing.js';

const REMEMBERED_REJECTIONS = 8;

/**
 * The TokenProvider: one token in process memory in front of any TokenSource, one fetch in flight
 * at a time (single flight), refresh ahead in the background while callers keep the still-valid
 * token, and a short cooldown after the server refuses the client so callers cannot start a retry
 * storm. Over HttpTokenEndpoint it serves one process; over RedisTokenSource (which decorates the
 * endpoint) the fleet shares one fetch. The composition root picks the source.
 */
export class CachingTokenProvider implements TokenProvider {
  private readonly timing: TokenTiming;
  private current: IssuedToken | null = null;
  private inflight: Promise<IssuedToken> | null = null;
  private rejection: { error: TokenRequestRejectedError; until: number } | null = null;
  private refreshBlockedUntil = 0;
  private readonly rejectedValues: string[] = [];

  constructor(
    private readonly source: TokenSource,
    private readonly settings: TokenCacheSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: TokenMetrics = NO_TOKEN_METRICS,
  ) {
    this.timing = new TokenTiming(settings);
  }

  async getToken(): Promise<AccessToken> {
    const now = this.clock.now();
    const current = this.current;
    if (current && this.timing.isUsable(current, now)) {
      this.metrics.cacheHit('memory');
      if (this.timing.isRefreshDue(current, now)) this.refreshInBackground(now);
      return { value: current.value, expiresAt: current.expiresAt };
    }
    if (this.rejection && now < this.rejection.until) throw this.rejection.error.repeated(this.rejection.until - now);
    const token = await this.obtain('missing');
    return { value: token.value, expiresAt: token.expiresAt };
  }

  async invalidate(token: AccessToken): Promise<void> {
    if (!this.rejectedValues.includes(token.value)) {
      this.rejectedValues.push(token.value);
      if (this.rejectedValues.length > REMEMBERED_REJECTIONS) this.rejectedValues.shift();
    }
    await this.source.evict(token);
    if (this.current?.value === token.value) this.current = null;
  }

  /** Resolves once no fetch or refresh is in flight (for tests and orderly shutdown). */
  async whenIdle(): Promise<void> {
    while (this.inflight) await this.inflight.catch(() => undefined);
  }

  private obtain(purpose: 'missing' | 'refresh'): Promise<IssuedToken> {
    this.inflight ??= this.fetchAvoidingRejected(purpose)
      .then(
        (token) => {
          this.rejection = null;
          if (!this.current || token.issuedAt >= this.current.issuedAt || !this.timing.isUsable(this.current, this.clock.now())) {
            this.current = token;
          }
          return token;
        },
        (error: unknown) => {
          if (!(error instanceof TokenRequestRejectedError)) throw error;
          // A refusal shared by another instance already carries what is left of its cooldown.
          const cooldownMs = error.retryAfterMs > 0 ? error.retryAfterMs : this.settings.rejectionCooldownMs;
          this.rejection = { error, until: this.clock.now() + cooldownMs };
          throw error.repeated(cooldownMs);
        },
      )
      .finally(() => {
        this.inflight = null;
      });
    return this.inflight;
  }

  // A token this process reported as rejected may still sit in a shared cache if its eviction
  // raced a read; drop it there and ask once more rather than adopt it again.
  private async fetchAvoidingRejected(purpose: 'missing' | 'refresh'): Promise<IssuedToken> {
    const token = await this.source.obtain(purpose);
    if (!this.rejectedValues.includes(token.value)) return token;
    await this.source.evict(token);
    return this.source.obtain('missing');
  }

  private refreshInBackground(now: number) {
    if (this.inflight || now < this.refreshBlockedUntil) return;
    this.obtain('refresh').catch((error: unknown) => {
      this.refreshBlockedUntil = this.clock.now() + this.settings.refreshRetryDelayMs;
      this.logger.warn(
        { reason: error instanceof Error ? error.message : String(error) },
        'background token refresh failed; the current token stays in use until it expires',
      );
    });
  }
}
