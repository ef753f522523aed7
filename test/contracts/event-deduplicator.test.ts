import { setTimeout as delay } from 'node:timers/promises';
import { InMemoryEventDeduplicator } from '../../src/adapters/in-memory/in-memory-event-deduplicator.js';
import { RedisEventDeduplicator } from '../../src/adapters/redis/redis-event-deduplicator.js';
import { createTestRedis } from '../support/services.js';
import { describeEventDeduplicatorContract } from './event-deduplicator.contract.js';
import { onlyWith } from '../support/backends.js';

describeEventDeduplicatorContract('in-memory', async () => {
  let now = Date.UTC(2026, 10, 24);
  const deduplicator = new InMemoryEventDeduplicator(() => now);
  return {
    deduplicator,
    peer: deduplicator,
    elapse: async (ms) => {
      now += ms;
    },
    cleanup: async () => undefined,
  };
});

onlyWith(['redis'], describeEventDeduplicatorContract)('Redis', async () => {
  const redis = await createTestRedis('event-dedup');
  return {
    deduplicator: new RedisEventDeduplicator(redis.client, redis.prefix),
    peer: new RedisEventDeduplicator(redis.client, redis.prefix),
    elapse: (ms) => delay(ms),
    cleanup: () => redis.cleanup(),
  };
});
