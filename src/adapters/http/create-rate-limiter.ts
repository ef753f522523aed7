import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RedisClient } from '../redis/redis-client.js';
import type { RateLimitBudget } from './rate-limit-budget.js';

export interface RateLimiterSettings {
  readonly budget: RateLimitBudget;
  readonly points: number;
  readonly windowSeconds: number;
  /** Redis key prefix of the service; keys are `<prefix>ratelimit:<budget>:<client>`. */
  readonly keyPrefix: string;
  /** Absent on the embedded default: the budget is kept in process. */
  readonly redis?: RedisClient;
  /** Bound on the one Redis command a request costs; on expiry the request fails open. */
  readonly redisTimeoutMs?: number;
}

/**
 * A fixed-window limiter: on Redis one EVAL per request (SET NX EX + INCRBY + PTTL in one Lua
 * script), in process otherwise. Clients over budget are also remembered in process until their
 * window ends, so they cost Redis nothing. No insurance limiter: when Redis fails the middleware
 * fails open, rather than silently switching every instance to a separate, per-process budget.
 */
export function createRateLimiter(settings: RateLimiterSettings): RateLimiterAbstract {
  const common = {
    points: settings.points,
    duration: settings.windowSeconds,
    keyPrefix: `${settings.keyPrefix}ratelimit:${settings.budget}`,
  };
  if (!settings.redis) return new RateLimiterMemory(common);
  return new RateLimiterRedis({
    ...common,
    storeClient: settings.redis.withCommandOptions({ timeout: settings.redisTimeoutMs ?? 250 }),
    // node-redis v4/v5 API (eval with {keys, arguments}); without it the library speaks ioredis.
    useRedisPackage: true,
    // Disconnected: reject at once (and so fail open) rather than wait for a reconnect.
    rejectIfRedisNotReady: true,
    inMemoryBlockOnConsumed: settings.points + 1,
  });
}
