import { expect } from 'chai';
import { InMemoryLastKnownAvailability } from '../../src/adapters/in-memory/in-memory-last-known-availability.js';
import { RedisLastKnownAvailability } from '../../src/adapters/redis/redis-last-known-availability.js';
import { createTestRedis } from '../support/services.js';
import { silentLogger } from '../support/token-fixtures.js';
import { CONTRACT_RETENTION_MS, describeLastKnownAvailabilityContract } from './last-known-availability.contract.js';
import { describeWith, onlyWith } from '../support/backends.js';

describeLastKnownAvailabilityContract('in-memory', async () => {
  const store = new InMemoryLastKnownAvailability(CONTRACT_RETENTION_MS);
  return { store, peer: store, cleanup: async () => undefined };
});

onlyWith(['redis'], describeLastKnownAvailabilityContract)('Redis (each handle with its own in-process mirror)', async () => {
  const redis = await createTestRedis('last-known');
  const make = () =>
    new RedisLastKnownAvailability(
      redis.client,
      redis.prefix,
      CONTRACT_RETENTION_MS,
      new InMemoryLastKnownAvailability(CONTRACT_RETENTION_MS),
      silentLogger,
    );
  return { store: make(), peer: make(), cleanup: () => redis.cleanup() };
});

describeWith(['redis'], 'RedisLastKnownAvailability', () => {
  it('recall, when Redis stops answering, serves what this instance saw from its in-process mirror', async () => {
    const redis = await createTestRedis('last-known-outage');
    const store = new RedisLastKnownAvailability(
      redis.client,
      redis.prefix,
      CONTRACT_RETENTION_MS,
      new InMemoryLastKnownAvailability(CONTRACT_RETENTION_MS),
      silentLogger,
    );
    const seen = { sku: 'FL-DAI-0000001', pricePaise: 45_000, stock: 3, asOf: new Date(Date.now() - 1_000) };
    await store.remember(seen);
    await redis.cleanup();
    expect(await store.recall('FL-DAI-0000001')).to.deep.equal(seen);
    await store.remember({ ...seen, stock: 2, asOf: new Date() });
    expect((await store.recall('FL-DAI-0000001'))?.stock).to.equal(2);
  });

  it('recall, in a new instance after a restart, returns what the previous instance stored in Redis', async () => {
    const redis = await createTestRedis('last-known-restart');
    try {
      const seen = { sku: 'FL-DAI-0000009', pricePaise: 9_900, stock: 0, asOf: new Date(Date.now() - 1_000) };
      await new RedisLastKnownAvailability(
        redis.client,
        redis.prefix,
        CONTRACT_RETENTION_MS,
        new InMemoryLastKnownAvailability(CONTRACT_RETENTION_MS),
        silentLogger,
      ).remember(seen);
      const restarted = new RedisLastKnownAvailability(
        redis.client,
        redis.prefix,
        CONTRACT_RETENTION_MS,
        new InMemoryLastKnownAvailability(CONTRACT_RETENTION_MS),
        silentLogger,
      );
      expect(await restarted.recall('FL-DAI-0000009')).to.deep.equal(seen);
      const ttl = await redis.client.pTTL(`${redis.prefix}availability:FL-DAI-0000009`);
      expect(ttl).to.be.within(CONTRACT_RETENTION_MS - 60_000, CONTRACT_RETENTION_MS);
    } finally {
      await redis.cleanup();
    }
  });
});
