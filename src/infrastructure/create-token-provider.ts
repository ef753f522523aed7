import { createHash } from 'node:crypto';
import type { Registry } from 'prom-client';
import { InMemoryTokenProvider } from '../adapters/in-memory/in-memory-token-provider.js';
import { HttpTokenEndpoint } from '../adapters/partner/http-token-endpoint.js';
import { PrometheusTokenMetrics } from '../adapters/partner/prometheus-token-metrics.js';
import { NO_TOKEN_METRICS } from '../adapters/partner/token-metrics.js';
import { UnconfiguredTokenProvider } from '../adapters/partner/unconfigured-token-provider.js';
import type { RedisClient } from '../adapters/redis/redis-client.js';
import { RedisTokenProvider } from '../adapters/redis/redis-token-provider.js';
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

/** Redis-backed (one fetch across the fleet) with Redis, in-process without, unconfigured without a token URL. */
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
  if (!redis) return new InMemoryTokenProvider(endpoint, settings, clock, logger, metrics);
  // One cache entry per client identity, so a changed client, scope or server never reuses a token.
  const identity = createHash('sha256').update(`${tokenUrl}\n${clientId}\n${config.OAUTH_SCOPE ?? ''}`).digest('hex').slice(0, 16);
  return new RedisTokenProvider(
    redis,
    endpoint,
    {
      ...settings,
      keyBase: `${config.REDIS_KEY_PREFIX}partner-token:${identity}`,
      lockLeaseMs: config.OAUTH_LOCK_LEASE_MS,
      lockWaitMs: config.OAUTH_LOCK_WAIT_MS,
    },
    clock,
    logger,
    metrics,
  );
}
