import { createHash } from 'node:crypto';
import type { Registry } from 'prom-client';
import { CachingTokenProvider } from '../adapters/oauth/caching-token-provider.js';
import { HttpTokenEndpoint } from '../adapters/oauth/http-token-endpoint.js';
import { PrometheusTokenMetrics } from '../adapters/oauth/prometheus-token-metrics.js';
import { RedisTokenSource } from '../adapters/oauth/redis-token-source.js';
import { NO_TOKEN_METRICS } from '../adapters/oauth/token-metrics.js';
import type { TokenSource } from '../adapters/oauth/token-source.js';
import { UnconfiguredTokenProvider } from '../adapters/oauth/unconfigured-token-provider.js';
import type { RedisClient } from '../adapters/redis/redis-client.js';
import type { Clock } from '../domain/ports/clock.js';
import type { Logger } from '../domain/ports/logger.js';
import type { TokenProvider } from '../domain/ports/token-provider.js';
import type { Config } from './load-config.js';

export interface TokenProviderDeps {
  readonly redis?: RedisClient;
  readonly logger: Logger;
  readonly clock: Clock;
  /** The app's Prometheus registry; token metrics are not exported without one. */
  readonly registry?: Registry;
}

/**
 * The in-process cache over the token endpoint, with RedisTokenSource between them when Redis is
 * configured (one fetch across the fleet); unconfigured without a token URL.
 */
export function createTokenProvider(config: Config, { redis, logger, clock, registry }: TokenProviderDeps): TokenProvider {
  const { OAUTH_TOKEN_URL: tokenUrl, OAUTH_CLIENT_ID: clientId, OAUTH_CLIENT_SECRET: clientSecret } = config;
  if (!tokenUrl || !clientId || !clientSecret) return new UnconfiguredTokenProvider();
  const metrics = registry ? new PrometheusTokenMetrics(registry) : NO_TOKEN_METRICS;
  const endpoint = new HttpTokenEndpoint(
    {
      tokenUrl,
      clientId,
      clientSecret,
      scope: config.OAUTH_SCOPE,
      clientAuth: config.OAUTH_CLIENT_AUTH,
      defaultLifetimeMs: config.OAUTH_DEFAULT_LIFETIME_SECONDS * 1000,
      requestTimeoutMs: config.OAUTH_REQUEST_TIMEOUT_MS,
      retries: config.OAUTH_RETRIES,
      retryMinDelayMs: 200,
      retryMaxDelayMs: 2_000,
    },
    clock,
    logger,
    metrics,
  );
  const settings = {
    expirySkewMs: config.OAUTH_EXPIRY_SKEW_SECONDS * 1000,
    refreshAheadFraction: config.OAUTH_REFRESH_AHEAD_FRACTION,
    rejectionCooldownMs: config.OAUTH_REJECTION_COOLDOWN_SECONDS * 1000,
    refreshRetryDelayMs: 5_000,
  };
  const source: TokenSource = redis
    ? new RedisTokenSource(
        redis,
        endpoint,
        {
          ...settings,
          keyBase: tokenKeyBase(config),
          lockLeaseMs: config.OAUTH_LOCK_LEASE_MS,
          lockWaitMs: config.OAUTH_LOCK_WAIT_MS,
        },
        clock,
        logger,
        metrics,
      )
    : endpoint;
  return new CachingTokenProvider(source, settings, clock, logger, metrics);
}

/**
 * `<REDIS_KEY_PREFIX>{oauth:<client>}`: one entry per client identity (a changed client, scope or
 * server never reuses a token), and one hash tag, so every token key lands in one cluster slot.
 */
function tokenKeyBase(config: Config): string {
  const identity = createHash('sha256')
    .update(`${config.OAUTH_TOKEN_URL}\n${config.OAUTH_CLIENT_ID}\n${config.OAUTH_SCOPE ?? ''}`)
    .digest('hex')
    .slice(0, 16);
  return `${config.REDIS_KEY_PREFIX}{oauth:${identity}}`;
}
