import { setTimeout as delay } from 'node:timers/promises';
import type { RedisClient } from '../../src/adapters/redis/redis-client.js';
import { RedisCatalogCache } from '../../src/adapters/redis/redis-catalog-cache.js';
import { RedisNearCatalogCache, type NearCacheSettings } from '../../src/adapters/redis/redis-near-catalog-cache.js';
import type { TestRedis } from './services.js';

export interface NearCacheInstances {
  readonly instances: RedisNearCatalogCache[];
  readonly subscribers: RedisClient[];
  /** Resolves once every instance knows the token Redis holds now. */
  propagated: () => Promise<void>;
  close(): void;
}

/** `count` near-tier caches over one Redis, as `count` service instances have, each subscribed on its own connection. */
export async function nearCacheInstances(
  redis: TestRedis,
  count: number,
  settings: NearCacheSettings,
  graceMs = 0,
): Promise<NearCacheInstances> {
  const shared = new RedisCatalogCache(redis.client, redis.prefix);
  const subscribers = await Promise.all(
    Array.from({ length: count }, async () => {
      const subscriber = redis.client.duplicate();
      subscriber.on('error', () => undefined);
      await subscriber.connect();
      return subscriber;
    }),
  );
  const instances = subscribers.map(
    (s) => new RedisNearCatalogCache(new RedisCatalogCache(redis.client, redis.prefix, { graceMs }), s, settings),
  );
  const propagated = async () => {
    const current = await shared.currentToken();
    for (let waited = 0; !instances.every((i) => i.knownToken === current); waited += 5) {
      if (waited > 2_000) throw new Error(`near tiers did not hear of token ${current} within 2 s`);
      await delay(5);
    }
  };
  await propagated();
  return {
    instances,
    subscribers,
    propagated,
    close: () => {
      for (const s of subscribers) if (s.isOpen) s.destroy();
    },
  };
}
