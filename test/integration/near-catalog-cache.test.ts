import { expect } from 'chai';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { RedisClient } from '../../src/adapters/redis/redis-client.js';
import { RedisCatalogCache } from '../../src/adapters/redis/redis-catalog-cache.js';
import { RedisNearCatalogCache, type NearCacheSettings } from '../../src/adapters/redis/redis-near-catalog-cache.js';
import { nearCacheInstances, type NearCacheInstances } from '../support/near-cache.js';
import { createTestRedis, type TestRedis } from '../support/services.js';

const fresh = (value: string) => ({ value, freshUntil: Date.now() + 60_000 });

async function until(condition: () => boolean, what: string) {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 5_000) throw new Error(`timed out waiting until ${what}`);
    await delay(10);
  }
}

describe('RedisNearCatalogCache', () => {
  let redis: TestRedis;
  let near: NearCacheInstances | undefined;

  beforeEach(async () => {
    redis = await createTestRedis('near-cache');
  });

  afterEach(async () => {
    near?.close();
    near = undefined;
    await redis.cleanup();
  });

  const start = async (count: number, settings: Partial<NearCacheSettings> = {}) => {
    near = await nearCacheInstances(redis, count, { maxEntries: 100, maxAgeMs: 60_000, ...settings });
    return near.instances;
  };

  /** Removes the shared entries behind the near tiers' back, so only memory can still answer. */
  const dropSharedEntries = async () => {
    const keys = await redis.client.keys(`${redis.prefix}catalog:*:*`);
    if (keys.length > 0) await redis.client.del(keys);
  };

  it('lookup, when this instance stored or read a fresh entry, answers from memory without Redis', async () => {
    const [a, b] = await start(2);
    const { generation } = await a!.lookup('list:a');
    await a!.store('list:a', generation, fresh('page'), 60_000);
    expect((await b!.lookup('list:a')).entry?.value).to.equal('page');
    await dropSharedEntries();
    expect((await a!.lookup('list:a')).entry?.value).to.equal('page');
    expect((await b!.lookup('list:a')).entry?.value).to.equal('page');
  });

  it('lookup, when another instance invalidated, stops answering from memory once the message arrives', async () => {
    const [a, b] = await start(2);
    const { generation } = await a!.lookup('list:a');
    await a!.store('list:a', generation, fresh('before the write'), 60_000);
    await b!.lookup('list:a');
    await a!.invalidateAll();
    // The writing instance itself forgets at once, before the message comes back.
    expect((await a!.lookup('list:a')).entry).to.equal(null);
    await near!.propagated();
    expect((await b!.lookup('list:a')).entry).to.equal(null);
    expect(b!.knownGeneration).to.equal(a!.knownGeneration);
  });

  it('lookup, when the entry is older than maxAgeMs, asks Redis again', async () => {
    let now = Date.now();
    const [a] = await start(1, { maxAgeMs: 1_000, now: () => now });
    const { generation } = await a!.lookup('list:a');
    await a!.store('list:a', generation, fresh('page'), 60_000);
    await dropSharedEntries();
    now += 999;
    expect((await a!.lookup('list:a')).entry?.value).to.equal('page');
    now += 1;
    expect((await a!.lookup('list:a')).entry).to.equal(null);
  });

  it('lookup, when the entry went stale, asks Redis (which decides between stale and rebuilt)', async () => {
    const [a] = await start(1);
    const { generation } = await a!.lookup('list:a');
    await a!.store('list:a', generation, { value: 'page', freshUntil: Date.now() + 50 }, 60_000);
    await delay(60);
    await dropSharedEntries();
    expect((await a!.lookup('list:a')).entry).to.equal(null);
  });

  it('store, when maxEntries are held, drops the oldest entry from memory', async () => {
    const [a] = await start(1, { maxEntries: 2 });
    const { generation } = await a!.lookup('x');
    for (const key of ['k1', 'k2', 'k3']) await a!.store(key, generation, fresh(key), 60_000);
    await dropSharedEntries();
    expect((await a!.lookup('k1')).entry).to.equal(null);
    expect((await a!.lookup('k2')).entry?.value).to.equal('k2');
    expect((await a!.lookup('k3')).entry?.value).to.equal('k3');
  });

  it('lookup, when the subscriber connection is lost, goes to Redis until it is subscribed and in step again', async () => {
    const name = `${redis.prefix.replace(/\W/g, '-')}sub`;
    // Reconnects only after 300 ms, so the invalidation below surely happens while it is away.
    const subscriber = redis.client.duplicate({ name, socket: { reconnectStrategy: () => 300 } }) as RedisClient;
    subscriber.on('error', () => undefined);
    await subscriber.connect();
    const cache = new RedisNearCatalogCache(new RedisCatalogCache(redis.client, redis.prefix), subscriber, { maxEntries: 100, maxAgeMs: 60_000 });
    const writer = new RedisCatalogCache(redis.client, redis.prefix);
    try {
      await until(() => cache.knownGeneration !== undefined, 'the near tier is in step');
      const { generation } = await cache.lookup('list:a');
      await cache.store('list:a', generation, fresh('page'), 60_000);

      const clients = await redis.client.clientList();
      const id = clients.find((c) => c.name === name)!.id;
      const lost = once(subscriber, 'error');
      await redis.client.sendCommand(['CLIENT', 'KILL', 'ID', String(id)]);
      await lost;
      expect(cache.knownGeneration).to.equal(undefined);
      // Invalidated while the channel is down: this message never reaches the near tier.
      await writer.invalidateAll();
      await dropSharedEntries();
      expect((await cache.lookup('list:a')).entry).to.equal(null);

      const current = await writer.currentGeneration();
      await until(() => cache.knownGeneration === current, 'the near tier is in step again');
      expect((await cache.lookup('list:a')).entry).to.equal(null);
    } finally {
      subscriber.destroy();
    }
  });
});
