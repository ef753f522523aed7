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
import { productHistory } from '../../tools/mock-partner/partner-event-wire.js';
import { webhookHeaders } from '../../tools/mock-partner/sign-webhook.js';
import { startTestService } from '../support/test-service.js';

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
    it('the primary killed, commands fail fast, the service answers webhooks and listings without a 5xx and applies each event once, and the client and its subscriber follow the promoted replica on their own', async () => {
      const subscriber = createRedisSubscriber(client, logger);
      const heard: string[] = [];
      const channel = uniqueName('channel');
      await until(() => subscriber.isReady);
      await subscriber.subscribe(channel, (message) => heard.push(message));
      const secret = 'whsec_c2VudGluZWwtZmFpbG92ZXItdGVzdC1zZWNyZXQ=';
      const prefix = `${uniqueName('service')}:`;
      const dedup = new RedisEventDeduplicator(client, prefix);
      const service = await startTestService(
        { EventDeduplicator: dedup, CatalogCache: new RedisCatalogCache(client, prefix) },
        { WEBHOOK_SECRETS: secret },
      );
      try {
        const skus = Array.from({ length: 10 }, (_, i) => `SENTINEL-${i}`);
        const events = skus.flatMap((sku) => productHistory(sku, 5));
        let pending = [...events, ...events].sort(() => Math.random() - 0.5);
        const statuses = new Map<number, number>();
        const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
        let failedFast = 0;
        let slowest = 0;
        let recoveredAt: number | undefined;
        const killedAt = Date.now();
        await sentinel.killNode(sentinel.primaryPort);
        // Deliveries trickle in across the whole window (until a claim succeeds on the new primary), then the rest.
        for (let round = 0; (pending.length > 0 || recoveredAt === undefined) && Date.now() - killedAt < 45_000; round += 1) {
          const batch = pending.slice(0, 2);
          const started = Date.now();
          const claimed = dedup.claim(`probe_${round}`, 60_000).then(
            () => true,
            () => false,
          );
          const results = await Promise.all([
            ...batch.map(async (event) => {
              const body = JSON.stringify(event);
              const response = await fetch(`${service.url}/api/webhooks/partner`, {
                method: 'POST',
                headers: webhookHeaders([secret], body),
                body,
              });
              await response.arrayBuffer();
              count(response.status);
              return response.status === 200;
            }),
            fetch(`${service.url}/api/products?limit=5`).then(async (response) => {
              await response.arrayBuffer();
              count(response.status);
              return true;
            }),
          ]);
          if (await claimed) recoveredAt ??= Date.now();
          else failedFast += 1;
          slowest = Math.max(slowest, Date.now() - started);
          pending = [...pending.slice(batch.length), ...batch.filter((_, i) => !results[i])];
          await delay(50);
        }
        expect(recoveredAt, 'claims succeed on the promoted replica').to.not.equal(undefined);
        expect(pending, 'every delivery acknowledged').to.have.length(0);
        expect(
          [...statuses.keys()].filter((status) => status >= 500),
          JSON.stringify([...statuses]),
        ).to.deep.equal([]);
        const inbox = await service.knex('partner_event_inbox').count({ n: '*' }).whereIn('sku', skus).first();
        expect(Number(inbox?.n), 'each event applied once').to.equal(events.length);
        expect(String(await client.sendCommand(['ROLE']))).to.match(/^master/);
        await until(() => subscriber.isReady);
        await client.publish(channel, 'after-failover');
        await until(() => heard.includes('after-failover'));
        console.log(
          `      sentinel failover: ${failedFast} claims failed fast (slowest round ${slowest} ms), claims accepted again ${recoveredAt! - killedAt} ms after the kill; HTTP statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
        );
      } finally {
        subscriber.destroy();
        await service.close();
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
