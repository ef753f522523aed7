import { InMemoryCatalogCache } from '../../src/adapters/in-memory/in-memory-catalog-cache.js';
import { RedisCatalogCache } from '../../src/adapters/redis/redis-catalog-cache.js';
import { createTestRedis } from '../support/services.js';
import { describeCatalogCacheContract } from './catalog-cache.contract.js';

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
