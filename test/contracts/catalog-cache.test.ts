import { InMemoryCatalogCache } from '../../src/adapters/in-memory/in-memory-catalog-cache.js';
import { RedisCatalogCache } from '../../src/adapters/redis/redis-catalog-cache.js';
import { RedisNearCatalogCache } from '../../src/adapters/redis/redis-near-catalog-cache.js';
import { createTestRedis } from '../support/services.js';
import { describeCatalogCacheContract } from './catalog-cache.contract.js';
import { nearCacheInstances } from '../support/near-cache.js';

describeCatalogCacheContract('in-memory', async () => {
  const cache = new InMemoryCatalogCache();
  return { cache, peer: cache, cleanup: async () => undefined };
});

describeCatalogCacheContract('Redis', async () => {
  const redis = await createTestRedis('catalog-cache');
  return {
    cache: new RedisCatalogCache(redis.client, redis.prefix),
    peer: new RedisCatalogCache(redis.client, redis.prefix),
    cleanup: () => redis.cleanup(),
  };
});

describeCatalogCacheContract('Redis with a near tier in each instance', async () => {
  const redis = await createTestRedis('catalog-cache-near');
  const near = await nearCacheInstances(redis, 2, { maxEntries: 100, maxAgeMs: 60_000 });
  const [cache, peer] = near.instances as [RedisNearCatalogCache, RedisNearCatalogCache];
  return {
    cache,
    peer,
    propagated: near.propagated,
    cleanup: async () => {
      near.close();
      await redis.cleanup();
    },
  };
});
