import { CachingTokenProvider } from '../../src/adapters/oauth/caching-token-provider.js';
import { HttpTokenEndpoint, type TokenEndpointSettings } from '../../src/adapters/oauth/http-token-endpoint.js';
import { RedisTokenSource } from '../../src/adapters/oauth/redis-token-source.js';
import type { TokenCacheSettings } from '../../src/adapters/oauth/token-cache-settings.js';
import { NO_TOKEN_METRICS, type TokenMetrics } from '../../src/adapters/oauth/token-metrics.js';
import type { TokenSource } from '../../src/adapters/oauth/token-source.js';
import type { RedisClient } from '../../src/adapters/redis/redis-client.js';
import type { Clock } from '../../src/domain/ports/clock.js';
import type { Logger } from '../../src/domain/ports/logger.js';
import { DEV_CLIENT } from '../../tools/mock-partner/dev-credentials.js';
import type { RunningMockPartner } from '../../tools/mock-partner/start-mock-partner.js';

export const systemClock: Clock = { now: () => Date.now() };

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export interface TokenFixtureOptions {
  readonly endpoint?: Partial<TokenEndpointSettings>;
  readonly cache?: Partial<TokenCacheSettings>;
  readonly lockLeaseMs?: number;
  readonly lockWaitMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly metrics?: TokenMetrics;
  readonly fetchImpl?: typeof fetch;
  /** The endpoint's backoff randomness; Math.random by default. */
  readonly random?: () => number;
}

/** An endpoint client for the mock partner's dev client, with quick retries for tests. */
export function mockEndpoint(mockUrl: string, options: TokenFixtureOptions = {}): HttpTokenEndpoint {
  return new HttpTokenEndpoint(
    {
      tokenUrl: `${mockUrl}/oauth/token`,
      clientId: DEV_CLIENT.id,
      clientSecret: DEV_CLIENT.secret,
      clientAuth: 'basic',
      defaultLifetimeMs: 3_600_000,
      requestTimeoutMs: 2_000,
      retries: 3,
      retryMinDelayMs: 20,
      retryMaxDelayMs: 100,
      ...options.endpoint,
    },
    options.clock ?? systemClock,
    options.logger ?? silentLogger,
    options.metrics ?? NO_TOKEN_METRICS,
    options.fetchImpl,
    options.random,
  );
}

export function cacheSettings(options: TokenFixtureOptions = {}): TokenCacheSettings {
  return { expirySkewMs: 60_000, refreshAheadFraction: 0.8, rejectionCooldownMs: 10_000, refreshRetryDelayMs: 1_000, ...options.cache };
}

/** The in-process composition: CachingTokenProvider straight over the endpoint. */
export function inMemoryProvider(mockUrl: string, options: TokenFixtureOptions = {}): CachingTokenProvider {
  return cachingProvider(mockEndpoint(mockUrl, options), options);
}

/** The fleet composition: CachingTokenProvider over RedisTokenSource over the endpoint. */
export function redisProvider(
  client: RedisClient,
  keyPrefix: string,
  mockUrl: string,
  options: TokenFixtureOptions = {},
): CachingTokenProvider {
  return cachingProvider(redisSource(client, keyPrefix, mockEndpoint(mockUrl, options), options), options);
}

export function redisSource(
  client: RedisClient,
  keyPrefix: string,
  upstream: TokenSource,
  options: TokenFixtureOptions = {},
): RedisTokenSource {
  return new RedisTokenSource(
    client,
    upstream,
    {
      ...cacheSettings(options),
      keyBase: tokenKeyBase(keyPrefix),
      lockLeaseMs: options.lockLeaseMs ?? 2_000,
      lockWaitMs: options.lockWaitMs ?? 10_000,
    },
    options.clock ?? systemClock,
    options.logger ?? silentLogger,
    options.metrics,
  );
}

export function cachingProvider(source: TokenSource, options: TokenFixtureOptions = {}): CachingTokenProvider {
  return new CachingTokenProvider(
    source,
    cacheSettings(options),
    options.clock ?? systemClock,
    options.logger ?? silentLogger,
    options.metrics,
  );
}

/** The fixtures' key base: every token key of the test client shares the `{oauth:test}` hash tag. */
export function tokenKeyBase(keyPrefix: string): string {
  return `${keyPrefix}{oauth:test}`;
}

/** Requests that reached the mock's token endpoint (injected faults answer before it). */
export function tokenRequests(mock: RunningMockPartner): number {
  return mock.context.stats.get('oauth.tokenRequests');
}

/** A Clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(private current = Date.now()) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
