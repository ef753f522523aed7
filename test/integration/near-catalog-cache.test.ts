import { expect } from 'chai';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { RedisCatalogCache } from '../../src/adapters/redis/redis-catalog-cache.js';
import { RedisNearCatalogCache, type NearCacheSettings } from '../../src/adapters/redis/redis-near-catalog-cache.js';
import { nearCacheInstances, type NearCacheInstances } from '../support/near-cache.js';
import { createTestRedis, type TestRedis } from '../support/services.js';
import { describeWith } from '../support/backends.js';

const fresh = (value: string, tags: readonly string[] = ['p:A']) => ({ value, tags, freshUntil: Date.now() + 60_000 });
const writer = (redis: TestRedis) => new RedisCatalogCache(redis.client, redis.prefix);

async function until(condition: () => boolean, what: string) {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 5_000) throw new Error(`timed out waiting until ${what}`);
    await delay(10);
  }
}

describeWith(['redis'], 'RedisNearCatalogCache', () => {
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
    const keys = await redis.client.keys(`${redis.prefix}{catalog}:e:*`);
    if (keys.length > 0) await redis.client.del(keys);
  };

  it('lookup, when this instance stored or read a fresh entry, answers from memory without Redis', async () => {
    const [a, b] = await start(2);
    const { token } = await a.lookup('list:a');
    await a.store('list:a', token, fresh('page'), 60_000);
    expect((await b.lookup('list:a')).entry?.value).to.equal('page');
    await dropSharedEntries();
    expect((await a.lookup('list:a')).entry?.value).to.equal('page');
    expect((await b.lookup('list:a')).entry?.value).to.equal('page');
  });

  it('lookup, when another instance invalidated a tag, stops answering from memory for exactly the entries carrying it', async () => {
    const [a, b] = await start(2);
    const { token } = await a.lookup('list:a');
    await a.store('list:a', token, fresh('shows A', ['p:A', 'members:*']), 60_000);
    await a.store('list:b', token, fresh('shows B', ['p:B', 'members:*']), 60_000);
    await b.lookup('list:a');
    await b.lookup('list:b');
    await dropSharedEntries();
    await a.invalidate(['p:A']);
    // The writing instance itself forgets at once, before the message comes back.
    expect((await a.lookup('list:a')).entry).to.equal(null);
    await near!.propagated();
    expect((await b.lookup('list:a')).entry).to.equal(null);
    expect((await b.lookup('list:b')).entry?.value, 'answered from memory').to.equal('shows B');
    expect(b.knownToken).to.equal(a.knownToken);
  });

  it('lookup, when another instance invalidated everything, stops answering from memory once the message arrives', async () => {
    const [a, b] = await start(2);
    const { token } = await a.lookup('list:a');
    await a.store('list:a', token, fresh('before the write'), 60_000);
    await b.lookup('list:a');
    await a.invalidateAll();
    expect((await a.lookup('list:a')).entry).to.equal(null);
    await near!.propagated();
    expect((await b.lookup('list:a')).entry).to.equal(null);
    expect(b.size).to.equal(0);
  });

  it('lookup, when Redis lost everything and a write followed, never serves from memory what that write invalidated', async () => {
    const [a, b] = await start(2);
    const { token } = await a.lookup('product:1');
    await a.store('product:1', token, fresh('price 10.00', ['p:A']), 60_000);
    await b.lookup('product:1');
    const keys = await redis.client.keys(`${redis.prefix}*`);
    await redis.client.del(keys);
    // The first write after the flush starts a new epoch: its message clears every near tier.
    await a.invalidate(['p:A']);
    await near!.propagated();
    expect((await b.lookup('product:1')).entry).to.equal(null);
    expect(await b.store('product:1', token, fresh('price 10.00', ['p:A']), 60_000), 'a pre-flush token').to.equal(false);
    expect((await a.lookup('product:1')).entry).to.equal(null);
  });

  /**
   * Stores a page in this deployment's near tier, lets `invalidateElsewhere` run, then sends an
   * unrelated invalidation of this deployment: messages on one connection arrive in publish order,
   * so once that one is heard, any message of the other deployment on this channel would have been too.
   */
  const nearEntryAfter = async (invalidateElsewhere: () => Promise<unknown>) => {
    const [a] = await start(1);
    const { token } = await a.lookup('list:a');
    await a.store('list:a', token, fresh('page', ['p:A', 'members:*']), 60_000);
    await dropSharedEntries();
    await invalidateElsewhere();
    await new RedisCatalogCache(redis.client, redis.prefix).invalidate(['p:UNRELATED']);
    await near!.propagated();
    return (await a.lookup('list:a')).entry?.value;
  };

  it('invalidate, by a deployment with another key prefix on the same Redis, does not reach this one', async () => {
    const other = new RedisCatalogCache(redis.client, `${redis.prefix}other:`);
    expect(other.invalidationChannel).to.not.equal(new RedisCatalogCache(redis.client, redis.prefix).invalidationChannel);
    expect(await nearEntryAfter(() => other.invalidate(['p:A', 'members:*']))).to.equal('page');
  });

  it('invalidate, by a deployment with the same prefix on another database number, does not reach this one', async () => {
    const client = redis.client.duplicate({ database: 1 });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const other = new RedisCatalogCache(client, redis.prefix, { database: 1 });
      expect(await nearEntryAfter(() => other.invalidate(['p:A', 'members:*']))).to.equal('page');
      const own = new RedisCatalogCache(redis.client, redis.prefix);
      const { token } = await own.lookup('list:b');
      await own.store('list:b', token, fresh('page b', ['p:B']), 60_000);
      await other.invalidateAll();
      expect((await own.lookup('list:b')).entry?.value, 'database 0 keeps its epoch').to.equal('page b');
    } finally {
      const keys = await client.keys(`${redis.prefix}*`);
      if (keys.length > 0) await client.del(keys);
      client.destroy();
    }
  });

  it('checkServer, when the epoch was started by another server (a snapshot restore, a failover), starts a new one everywhere', async () => {
    const [a, b] = await start(2);
    const shared = new RedisCatalogCache(redis.client, redis.prefix);
    expect(await shared.checkServer(), 'same server').to.equal(false);
    const { token } = await a.lookup('product:1');
    await a.store('product:1', token, fresh('price 10.00'), 60_000);
    await b.lookup('product:1');
    await redis.client.hSet(`${redis.prefix}{catalog}:seq`, 'run', 'run-id-of-the-server-before');
    expect(await shared.checkServer()).to.equal(true);
    await near!.propagated();
    expect((await shared.lookup('product:1')).entry).to.equal(null);
    expect((await b.lookup('product:1')).entry).to.equal(null);
    expect(await a.store('product:1', token, fresh('price 10.00'), 60_000), 'a token of the restored epoch').to.equal(false);
    expect(await shared.checkServer(), 'once').to.equal(false);
  });

  it('lookup, when the entry is older than maxAgeMs, asks Redis again', async () => {
    let now = Date.now();
    const [a] = await start(1, { maxAgeMs: 1_000, now: () => now });
    const { token } = await a.lookup('list:a');
    await a.store('list:a', token, fresh('page'), 60_000);
    await dropSharedEntries();
    now += 999;
    expect((await a.lookup('list:a')).entry?.value).to.equal('page');
    now += 1;
    expect((await a.lookup('list:a')).entry).to.equal(null);
  });

  it('lookup, when the entry went stale, asks Redis (which decides between stale and rebuilt)', async () => {
    const [a] = await start(1);
    const { token } = await a.lookup('list:a');
    await a.store('list:a', token, { value: 'page', tags: ['p:A'], freshUntil: Date.now() + 50 }, 60_000);
    await delay(60);
    await dropSharedEntries();
    expect((await a.lookup('list:a')).entry).to.equal(null);
  });

  it('store, when maxEntries are held, drops the oldest entry from memory', async () => {
    const [a] = await start(1, { maxEntries: 2 });
    const { token } = await a.lookup('x');
    for (const key of ['k1', 'k2', 'k3']) await a.store(key, token, fresh(key), 60_000);
    await dropSharedEntries();
    expect((await a.lookup('k1')).entry).to.equal(null);
    expect((await a.lookup('k2')).entry?.value).to.equal('k2');
    expect((await a.lookup('k3')).entry?.value).to.equal('k3');
  });

  /**
   * A near tier whose Redis replies are overtaken: after Redis has judged (store or validate), and
   * before the reply is handled, another instance invalidates `tags` and this one hears it.
   */
  const overtakenBy = async (tags: readonly string[]) => {
    const subscriber = redis.client.duplicate();
    subscriber.on('error', () => undefined);
    await subscriber.connect();
    const shared = new RedisCatalogCache(redis.client, redis.prefix);
    const writer = new RedisCatalogCache(redis.client, redis.prefix);
    const cache = new RedisNearCatalogCache(shared, subscriber, { maxEntries: 100, maxAgeMs: 60_000 });
    const overtake = async <T>(reply: T) => {
      const token = await writer.invalidateReporting(tags);
      await until(() => cache.knownToken === token, 'the near tier heard the overtaking invalidation');
      return reply;
    };
    for (const method of ['storeReporting', 'validate'] as const) {
      const judge = shared[method].bind(shared) as (...args: unknown[]) => Promise<unknown>;
      (shared as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => judge(...args).then(overtake);
    }
    await until(() => cache.knownToken !== undefined, 'the near tier is in step');
    return { cache, close: () => subscriber.destroy() };
  };

  it('store and lookup, when an invalidation of other tags overtook the reply, still keep the entry in memory', async () => {
    const { cache, close } = await overtakenBy(['p:Z']);
    try {
      const { token } = await cache.lookup('list:a');
      expect(await cache.store('list:a', token, fresh('stored', ['p:A']), 60_000)).to.equal(true);
      await writer(redis).store('list:b', await writer(redis).currentToken(), fresh('read', ['p:B']), 60_000);
      expect((await cache.lookup('list:b')).entry?.value, 'validated by Redis').to.equal('read');
      await dropSharedEntries();
      expect((await cache.lookup('list:a')).entry?.value, 'stored entry, from memory').to.equal('stored');
      expect((await cache.lookup('list:b')).entry?.value, 'read entry, from memory').to.equal('read');
    } finally {
      close();
    }
  });

  it("store and lookup, when an invalidation of one of the entry's tags overtook the reply, do not keep it in memory", async () => {
    const { cache, close } = await overtakenBy(['p:A']);
    try {
      const { token } = await cache.lookup('list:a');
      await cache.store('list:a', token, fresh('stored', ['p:A', 'members:*']), 60_000);
      await writer(redis).store('list:b', await writer(redis).currentToken(), fresh('read', ['p:A']), 60_000);
      await cache.lookup('list:b');
      await dropSharedEntries();
      expect((await cache.lookup('list:a')).entry).to.equal(null);
      expect((await cache.lookup('list:b')).entry).to.equal(null);
    } finally {
      close();
    }
  });

  it('lookup, when the subscriber connection is lost, goes to Redis until it is subscribed and in step again', async () => {
    const name = `${redis.prefix.replace(/\W/g, '-')}sub`;
    // Reconnects only after 300 ms, so the invalidation below surely happens while it is away.
    const subscriber = redis.client.duplicate({ name, socket: { reconnectStrategy: () => 300 } });
    subscriber.on('error', () => undefined);
    await subscriber.connect();
    const cache = new RedisNearCatalogCache(new RedisCatalogCache(redis.client, redis.prefix), subscriber, {
      maxEntries: 100,
      maxAgeMs: 60_000,
    });
    const writer = new RedisCatalogCache(redis.client, redis.prefix);
    try {
      await until(() => cache.knownToken !== undefined, 'the near tier is in step');
      const { token } = await cache.lookup('list:a');
      await cache.store('list:a', token, fresh('page'), 60_000);

      const clients = await redis.client.clientList();
      const id = clients.find((c) => c.name === name)!.id;
      const lost = once(subscriber, 'error');
      await redis.client.sendCommand(['CLIENT', 'KILL', 'ID', String(id)]);
      await lost;
      expect(cache.knownToken).to.equal(undefined);
      // Invalidated while the channel is down: this message never reaches the near tier.
      await writer.invalidate(['p:A']);
      await dropSharedEntries();
      expect((await cache.lookup('list:a')).entry).to.equal(null);

      const current = await writer.currentToken();
      await until(() => cache.knownToken === current, 'the near tier is in step again');
      expect((await cache.lookup('list:a')).entry).to.equal(null);
    } finally {
      subscriber.destroy();
    }
  });
});
