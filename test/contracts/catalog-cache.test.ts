import { InMemoryCatalogCache } from '../../src/adapters/in-memory/in-memory-catalog-cache.js';
import { RedisCatalogCache } from '../../src/adapters/redis/redis-catalog-cache.js';
import { type RedisNearCatalogCache } from '../../src/adapters/redis/redis-near-catalog-cache.js';
import { createTestRedis, type TestRedis } from '../support/services.js';
import { describeCatalogCacheContract } from './catalog-cache.contract.js';
import { nearCacheInstances } from '../support/near-cache.js';
import { onlyWith } from '../support/backends.js';

/** Deletes every key of this deployment, as a FLUSHDB would (without touching other tests' keys). */
const flushOf = (redis: TestRedis) => async () => {
  const keys = await redis.client.keys(`${redis.prefix}*`);
  if (keys.length > 0) await redis.client.del(keys);
};

describeCatalogCacheContract('in-memory', async ({ graceMs }) => {
  const cache = new InMemoryCatalogCache(Date.now, { graceMs });
  return { cache, peer: cache, cleanup: async () => undefined };
});

onlyWith(['redis'], describeCatalogCacheContract)('Redis', async ({ graceMs }) => {
  const redis = await createTestRedis('catalog-cache');
  return {
    cache: new RedisCatalogCache(redis.client, redis.prefix, { graceMs }),
    peer: new RedisCatalogCache(redis.client, redis.prefix, { graceMs }),
    flush: flushOf(redis),
    cleanup: () => redis.cleanup(),
  };
});

onlyWith(['redis'], describeCatalogCacheContract)('Redis with a near tier in each instance', async ({ graceMs }) => {
  const redis = await createTestRedis('catalog-cache-near');
  const near = await nearCacheInstances(redis, 2, { maxEntries: 100, maxAgeMs: 60_000 }, graceMs);
  const [cache, peer] = near.instances as [RedisNearCatalogCache, RedisNearCatalogCache];
  return {
    cache,
    peer,
    propagated: near.propagated,
    flush: flushOf(redis),
    cleanup: async () => {
      near.close();
      await redis.cleanup();
    },
  };
});
