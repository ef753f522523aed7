import { expect } from 'chai';
import { pino } from 'pino';
import { setTimeout as delay } from 'node:timers/promises';
import { createRateLimiter } from '../../src/adapters/http/create-rate-limiter.js';
import { InMemoryLastKnownAvailability } from '../../src/adapters/in-memory/in-memory-last-known-availability.js';
import type { RedisClient } from '../../src/adapters/redis/redis-client.js';
import { RedisEventDeduplicator } from '../../src/adapters/redis/redis-event-deduplicator.js';
import { RedisHealthIndicator } from '../../src/adapters/redis/redis-health-indicator.js';
import { RedisLastKnownAvailability } from '../../src/adapters/redis/redis-last-known-availability.js';
import { createRedisClient, createRedisSubscriber } from '../../src/infrastructure/create-redis-client.js';
import { describeEventDeduplicatorContract } from '../contracts/event-deduplicator.contract.js';
import { CONTRACT_RETENTION_MS, describeLastKnownAvailabilityContract } from '../contracts/last-known-availability.contract.js';
import { describeWith } from '../support/backends.js';
import { RedisSentinelEnvironment } from '../support/scale-out.js';
import { uniqueName } from '../support/services.js';
import { silentLogger } from '../support/token-fixtures.js';
import { RedisCatalogCache } from '../../src/adapters/redis/redis-catalog-cache.js';
import { startTestService } from '../support/test-service.js';
import { proveFailover } from '../support/failover-traffic.js';
import { TokenFleet } from '../support/token-fleet.js';

const logger = pino({ level: 'silent' });

describeWith(['scale-out'], 'Redis Sentinel (primary + replica + 3 sentinels, private)', function () {
  this.timeout(60_000);
  let sentinel: RedisSentinelEnvironment;
  let client: RedisClient;

  before(async () => {
    sentinel = await RedisSentinelEnvironment.start();
    const sentinels = sentinel.sentinelPorts.map((port) => ({ host: '127.0.0.1', port }));
    client = await createRedisClient({ kind: 'sentinel', name: sentinel.masterName, sentinels }, logger);
  });

  after(async () => {
    client?.destroy();
    await sentinel?.stop();
  });

  it('createRedisClient, given the sentinels, connects to the primary they name and is ready', async () => {
    expect(client.isReady).to.equal(true);
    expect(String(await client.sendCommand(['ROLE']))).to.match(/^master/);
    await new RedisHealthIndicator(client).check(new AbortController().signal);
  });

  it('createRateLimiter, on Sentinel, limits a client to its budget', async () => {
    const limiter = createRateLimiter({ budget: 'public', points: 2, windowSeconds: 60, keyPrefix: `${uniqueName('rl')}:`, redis: client });
    await limiter.consume('203.0.113.9');
    await limiter.consume('203.0.113.9');
    await expect(limiter.consume('203.0.113.9')).to.be.rejected;
  });

  it('duplicate(), as the subscriber, hears what the primary publishes', async () => {
    const subscriber = createRedisSubscriber(client, logger);
    try {
      await until(() => subscriber.isReady);
      const heard: string[] = [];
      const channel = uniqueName('channel');
      await subscriber.subscribe(channel, (message) => heard.push(message));
      await client.publish(channel, 'generation-3');
      await until(() => heard.length > 0);
      expect(heard).to.deep.equal(['generation-3']);
    } finally {
      subscriber.destroy();
    }
  });

  describeEventDeduplicatorContract('Redis Sentinel', async () => {
    const prefix = `${uniqueName('dedup')}:`;
    return {
      deduplicator: new RedisEventDeduplicator(client, prefix),
      peer: new RedisEventDeduplicator(client, prefix),
      elapse: (ms) => delay(ms),
      cleanup: async () => undefined,
    };
  });

  describeLastKnownAvailabilityContract('Redis Sentinel', async () => {
    const prefix = `${uniqueName('last-known')}:`;
    const make = () =>
      new RedisLastKnownAvailability(
        client,
        prefix,
        CONTRACT_RETENTION_MS,
        new InMemoryLastKnownAvailability(CONTRACT_RETENTION_MS),
        silentLogger,
      );
    return { store: make(), peer: make(), cleanup: async () => undefined };
  });

  // Declared last, so it runs after the contract suites: it kills the primary (there is one replica: one failover).
  describe('failover', () => {
    it('the primary killed mid-round, the service and a token fleet answer webhooks, listings and token calls (no 5xx, each event applied once, at most one token fetch per instance, one shared fetch again after recovery), and the client and its subscriber follow the promoted replica on their own', async () => {
      const subscriber = createRedisSubscriber(client, logger);
      const heard: string[] = [];
      const channel = uniqueName('channel');
      await until(() => subscriber.isReady);
      await subscriber.subscribe(channel, (message) => heard.push(message));
      const webhookSecret = 'whsec_c2VudGluZWwtZmFpbG92ZXItdGVzdC1zZWNyZXQ=';
      const prefix = `${uniqueName('service')}:`;
      const tokens = await TokenFleet.start(client, `${prefix}{oauth:fleet}`);
      // A claim taken just before the kill may survive on the promoted replica, unfinished: its event
      // answers 409 (delivered again later) until the lease ends, 30 s by default.
      const service = await startTestService(
        { EventDeduplicator: new RedisEventDeduplicator(client, prefix), CatalogCache: new RedisCatalogCache(client, prefix) },
        { WEBHOOK_SECRETS: webhookSecret, WEBHOOK_CLAIM_LEASE_MS: '5000' },
      );
      try {
        const report = await proveFailover({
          service,
          webhookSecret,
          skus: Array.from({ length: 10 }, (_, i) => `SENTINEL-${i}`),
          tokens,
          kill: () => sentinel.killNode(sentinel.primaryPort),
        });
        expect(String(await client.sendCommand(['ROLE']))).to.match(/^master/);
        await until(() => subscriber.isReady);
        await client.publish(channel, 'after-failover');
        await until(() => heard.includes('after-failover'));
        console.log(`      sentinel failover under traffic: ${report.summary}`);
      } finally {
        subscriber.destroy();
        await service.close();
        await tokens.stop();
      }
    });
  });
});

async function until(condition: () => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(20);
  }
}
