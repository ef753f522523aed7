import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { TokenRequestRejectedError } from '../../domain/errors/token-request-rejected-error.js';
import { TokenUnavailableError } from '../../domain/errors/token-unavailable-error.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { Logger } from '../../domain/ports/logger.js';
import type { AccessToken } from '../../domain/ports/token-provider.js';
import type { RedisClient } from '../redis/redis-client.js';
import { RedisScript } from '../redis/redis-script.js';
import { NO_TOKEN_METRICS, type TokenMetrics } from './token-metrics.js';
import type { IssuedToken, TokenSource } from './token-source.js';
import { TokenTiming, type TokenTimingSettings } from './token-timing.js';
import { ThrottledWarning } from '../../shared/throttled-warning.js';

export interface RedisTokenSourceSettings extends TokenTimingSettings {
  /**
   * Keys are `<keyBase>:token`, `<keyBase>:lock` and `<keyBase>:rejected`. keyBase ends in a hash
   * tag (`<prefix>{oauth:<client>}`), so the three share one Redis Cluster slot and the MGET and
   * scripts below touching them stay valid on a cluster.
   */
  readonly keyBase: string;
  /** The lock expires this long after its last renewal, so a holder that dies blocks nobody longer. */
  readonly lockLeaseMs: number;
  /** A caller waiting for another instance's fetch gives up after this long. */
  readonly lockWaitMs: number;
  /** How long a refusal (invalid_client, ...) is shared with the other instances. */
  readonly rejectionCooldownMs: number;
}

const FIRST_POLL_MS = 20;
const MAX_POLL_MS = 200;
const DEGRADED_LOG_EVERY_MS = 10_000;

const RELEASE = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);
const RENEW = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);
const EVICT = new RedisScript(`
local stored = redis.call('GET', KEYS[1])
if stored and string.match(stored, '^%d+:%d+:(.*)$') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/** A Redis command failed: the caller falls back to fetching for itself. */
class RedisDown extends Error {}

/**
 * A TokenSource decorating `upstream` (the token endpoint) with a fleet-wide layer: a token in Redis (TTL = usable life), fetched by whoever wins
 * `SET NX PX` on the lock (random value, lease renewed while fetching, released by
 * compare-and-delete) after reading the cache once more; the others poll with backoff until the
 * token lands, the holder's refusal is shared, or their deadline passes. When Redis fails, this
 * instance fetches for itself and says so in the log; sharing resumes when Redis answers again.
 */
export class RedisTokenSource implements TokenSource {
  private readonly timing: TokenTiming;
  private readonly tokenKey: string;
  private readonly lockKey: string;
  private readonly rejectedKey: string;
  private degradedSince: number | null = null;
  private readonly degradedWarning: ThrottledWarning;

  constructor(
    private readonly client: RedisClient,
    private readonly upstream: TokenSource,
    private readonly settings: RedisTokenSourceSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: TokenMetrics = NO_TOKEN_METRICS,
  ) {
    this.timing = new TokenTiming(settings);
    this.degradedWarning = new ThrottledWarning((fields, message) => logger.warn(fields, message), DEGRADED_LOG_EVERY_MS);
    this.tokenKey = `${settings.keyBase}:token`;
    this.lockKey = `${settings.keyBase}:lock`;
    this.rejectedKey = `${settings.keyBase}:rejected`;
  }

  async obtain(purpose: 'missing' | 'refresh'): Promise<IssuedToken> {
    try {
      const token = await this.obtainShared(purpose);
      this.recovered();
      return token;
    } catch (error) {
      if (!(error instanceof RedisDown)) throw error;
      this.degraded(error);
      return this.upstream.obtain(purpose);
    }
  }

  async evict(token: AccessToken): Promise<void> {
    await this.quietly(() => EVICT.run(this.client, [this.tokenKey], [token.value]));
  }

  private async obtainShared(purpose: 'missing' | 'refresh'): Promise<IssuedToken> {
    const started = performance.now();
    let pollMs = FIRST_POLL_MS;
    let waited = false;
    for (;;) {
      const [stored, rejected] = await this.redis(() => this.client.mGet([this.tokenKey, this.rejectedKey]));
      if (rejected) throw decodeRejection(rejected, this.clock.now());
      const shared = decodeToken(stored);
      if (shared && this.acceptable(shared, purpose)) {
        this.metrics.cacheHit('redis');
        return shared;
      }
      const lockValue = randomBytes(16).toString('hex');
      const taken = await this.redis(() =>
        this.client.set(this.lockKey, lockValue, { expiration: { type: 'PX', value: this.settings.lockLeaseMs }, condition: 'NX' }),
      );
      if (taken === 'OK') return this.fetchHoldingLock(purpose, lockValue);
      if (!waited) {
        waited = true;
        this.metrics.lockWaited();
      }
      const remainingMs = this.settings.lockWaitMs - (performance.now() - started);
      if (remainingMs <= 0) {
        this.metrics.fetchFailed('lock_wait_timeout');
        throw new TokenUnavailableError(`waited ${this.settings.lockWaitMs} ms for another instance to fetch a token, and none arrived`);
      }
      await delay(Math.min(pollMs, remainingMs));
      pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
    }
  }

  private async fetchHoldingLock(purpose: 'missing' | 'refresh', lockValue: string): Promise<IssuedToken> {
    const lease = String(this.settings.lockLeaseMs);
    const renewal = setInterval(
      () => {
        RENEW.run(this.client, [this.lockKey], [lockValue, lease]).catch(() => undefined);
      },
      Math.max(10, Math.floor(this.settings.lockLeaseMs / 3)),
    );
    renewal.unref();
    try {
      // Someone may have stored a token between our read and taking the lock.
      const again = decodeToken(await this.redis(() => this.client.get(this.tokenKey)));
      if (again && this.acceptable(again, purpose)) {
        this.metrics.cacheHit('redis');
        return again;
      }
      const token = await this.fetchSharingRefusal(purpose);
      const ttlMs = Math.floor(this.timing.usableUntil(token) - this.clock.now());
      if (ttlMs > 0) {
        await this.quietly(() => this.client.set(this.tokenKey, encodeToken(token), { expiration: { type: 'PX', value: ttlMs } }));
      }
      return token;
    } finally {
      clearInterval(renewal);
      await this.quietly(() => RELEASE.run(this.client, [this.lockKey], [lockValue]));
    }
  }

  private async fetchSharingRefusal(purpose: 'missing' | 'refresh'): Promise<IssuedToken> {
    try {
      return await this.upstream.obtain(purpose);
    } catch (error) {
      if (error instanceof TokenRequestRejectedError && this.settings.rejectionCooldownMs > 0) {
        const until = this.clock.now() + this.settings.rejectionCooldownMs;
        const marker = JSON.stringify({ error: error.oauthError, description: error.description, until });
        await this.quietly(() =>
          this.client.set(this.rejectedKey, marker, { expiration: { type: 'PX', value: this.settings.rejectionCooldownMs } }),
        );
      }
      throw error;
    }
  }

  private acceptable(token: IssuedToken, purpose: 'missing' | 'refresh') {
    const now = this.clock.now();
    return purpose === 'refresh' ? !this.timing.isRefreshDue(token, now) : this.timing.isUsable(token, now);
  }

  private async redis<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new RedisDown(error instanceof Error ? error.message : String(error), { cause: error });
    }
  }

  private async quietly(command: () => Promise<unknown>): Promise<void> {
    try {
      await command();
    } catch (error) {
      this.degraded(error);
    }
  }

  private degraded(error: unknown) {
    this.metrics.sharedCacheFailed();
    this.degradedSince ??= Date.now();
    this.degradedWarning.warn(
      { reason: error instanceof Error ? error.message : String(error) },
      'redis unavailable for partner tokens; this instance fetches its own tokens until it answers again',
    );
  }

  private recovered() {
    if (this.degradedSince === null) return;
    this.degradedSince = null;
    this.degradedWarning.reset();
    this.logger.info({}, 'redis answers again for partner tokens; sharing resumed');
  }
}

function encodeToken(token: IssuedToken) {
  return `${token.issuedAt}:${token.expiresAt}:${token.value}`;
}

function decodeToken(stored: string | null | undefined): IssuedToken | null {
  const match = stored ? /^(\d+):(\d+):(.+)$/s.exec(stored) : null;
  return match ? { issuedAt: Number(match[1]), expiresAt: Number(match[2]), value: match[3] } : null;
}

function decodeRejection(stored: string, now: number): TokenRequestRejectedError {
  try {
    const { error, description, until } = JSON.parse(stored) as { error?: unknown; description?: unknown; until?: unknown };
    const retryAfterMs = typeof until === 'number' ? until - now : 0;
    return new TokenRequestRejectedError(String(error), typeof description === 'string' ? description : undefined, { retryAfterMs });
  } catch {
    return new TokenRequestRejectedError('invalid_client');
  }
}
