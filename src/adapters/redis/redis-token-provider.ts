import type { Clock } from '../../domain/ports/clock.js';
import type { Logger } from '../../domain/ports/logger.js';
import { InMemoryTokenProvider } from '../in-memory/in-memory-token-provider.js';
import type { TokenCacheSettings } from '../partner/token-cache-settings.js';
import { NO_TOKEN_METRICS, type TokenMetrics } from '../partner/token-metrics.js';
import type { TokenSource } from '../partner/token-source.js';
import { TokenTiming } from '../partner/token-timing.js';
import type { RedisClient } from './redis-client.js';
import { RedisTokenSource, type RedisTokenSourceSettings } from './redis-token-source.js';

export type RedisTokenProviderSettings = TokenCacheSettings & RedisTokenSourceSettings;

/**
 * The fleet-wide TokenProvider: the in-process memory layer (no Redis round trip while a token is
 * fresh) in front of RedisTokenSource (one fetch across every instance), in front of `endpoint`.
 */
export class RedisTokenProvider extends InMemoryTokenProvider {
  constructor(
    client: RedisClient,
    endpoint: TokenSource,
    settings: RedisTokenProviderSettings,
    clock: Clock,
    logger: Logger,
    metrics: TokenMetrics = NO_TOKEN_METRICS,
  ) {
    const shared = new RedisTokenSource(
      client,
      endpoint,
      new TokenTiming(settings),
      settings,
      clock,
      logger,
      metrics,
    );
    super(shared, settings, clock, logger, metrics);
  }
}
