import { expect } from 'chai';
import { pino } from 'pino';
import { createClient } from 'redis';
import { setTimeout as delay } from 'node:timers/promises';
import { createRateLimiter } from '../../src/adapters/http/create-rate-limiter.js';
import { InMemoryLastKnownAvailability } from '../../src/adapters/in-memory/in-memory-last-known-availability.js';
import type { RedisClient } from '../../src/adapters/redis/redis-client.js';
import { RedisEventDeduplicator } from '../../src/adapters/redis/redis-event-deduplicator.js';
import { RedisHealthIndicator } from '../../src/adapters/redis/redis-health-indicator.js';
import { RedisLastKnownAvailability } from '../../src/adapters/redis/redis-last-known-availability.js';
import { createRedisClient, createRedisSubscriber } from '../../src/infrastructure/create-redis-client.js';
import { RedisCatalogCache } from '../../src/adapters/redis/redis-catalog-cache.js';
import { RedisNearCatalogCache } from '../../src/adapters/redis/redis-near-catalog-cache.js';
import { describeCatalogCacheContract } from '../contracts/catalog-cache.contract.js';
import { describeEventDeduplicatorContract } from '../contracts/event-deduplicator.contract.js';
import { describeTokenProviderContract, type TokenProviderSubjectOptions } from '../contracts/token-provider.contract.js';
import { redisProvider } from '../support/token-fixtures.js';
import { startTestService } from '../support/test-service.js';
import { proveFailover } from '../support/failover-traffic.js';
import { TokenFleet } from '../support/token-fleet.js';
import { startMockPartner } from '../../tools/mock-partner/start-mock-partner.js';
import { spawnTokenWorker } from '../support/spawn-token-worker.js';
import { tokenRequests } from '../support/token-fixtures.js';
import { CONTRACT_RETENTION_MS, describeLastKnownAvailabilityContract } from '../contracts/last-known-availability.contract.js';
import { describeWith } from '../support/backends.js';
import { RedisClusterEnvironment } from '../support/scale-out.js';
import { uniqueName } from '../support/services.js';
import { silentLogger } from '../support/token-fixtures.js';

const logger = pino({ level: 'silent' });

describeWith(['scale-out'], 'Redis Cluster (6 private nodes)', function () {
  this.timeout(60_000);
  let cluster: RedisClusterEnvironment;
  let client: RedisClient;

  before(async () => {
    cluster = await RedisClusterEnvironment.start();
    client = await createRedisClient({ kind: 'cluster', seeds: cluster.seedUrls.split(',') }, logger);
  });

  after(async () => {
    client?.destroy();
    await cluster?.stop();
  });

  describeEventDeduplicatorContract('Redis Cluster', async () => {
    const prefix = `${uniqueName('dedup')}:`;
    return {
      deduplicator: new RedisEventDeduplicator(client, prefix),
      peer: new RedisEventDeduplicator(client, prefix),
      elapse: (ms) => delay(ms),
      cleanup: async () => undefined,
    };
  });

  describeLastKnownAvailabilityContract('Redis Cluster', async () => {
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

  /** Deletes the keys under `prefix` on every primary (each holds its slots' keys), as a FLUSHALL would. */
  const flushOf = (prefix: string) => async () => {
    for (const port of cluster.ports) {
      const node = createClient({ url: `redis://127.0.0.1:${port}` });
      node.on('error', () => undefined);
      try {
        await node.connect();
        const keys = await node.keys(`${prefix}*`);
        for (const key of keys) await node.del(key).catch(() => undefined);
      } catch {
        // A replica answers MOVED, a dead node not at all: its primary holds the keys.
      } finally {
        if (node.isOpen) node.destroy();
      }
    }
  };

  describeCatalogCacheContract('Redis Cluster', async ({ graceMs }) => {
    const prefix = `${uniqueName('catalog')}:`;
    return {
      cache: new RedisCatalogCache(client, prefix, { graceMs }),
      peer: new RedisCatalogCache(client, prefix, { graceMs }),
      flush: flushOf(prefix),
      cleanup: async () => undefined,
    };
  });

  describeCatalogCacheContract('Redis Cluster with a near tier in each instance', async ({ graceMs }) => {
    const prefix = `${uniqueName('catalog-near')}:`;
    const subscribers = [createRedisSubscriber(client, logger), createRedisSubscriber(client, logger)];
    const settings = { maxEntries: 100, maxAgeMs: 60_000 };
    const [cache, peer] = subscribers.map(
      (subscriber) => new RedisNearCatalogCache(new RedisCatalogCache(client, prefix, { graceMs }), subscriber, settings),
    ) as [RedisNearCatalogCache, RedisNearCatalogCache];
    const shared = new RedisCatalogCache(client, prefix);
    const propagated = async () => {
      const current = await shared.currentToken();
      await until(() => cache.knownToken === current && peer.knownToken === current);
    };
    await propagated();
    return {
      cache,
      peer,
      propagated,
      flush: flushOf(prefix),
      cleanup: async () => {
        for (const subscriber of subscribers) subscriber.destroy();
      },
    };
  });

  describeTokenProviderContract('Redis Cluster', async (mockUrl, options: TokenProviderSubjectOptions = {}) => {
    const prefix = `${uniqueName('token')}:`;
    const endpoint = options.clientSecret ? { endpoint: { clientSecret: options.clientSecret } } : {};
    const make = () => redisProvider(client, prefix, mockUrl, endpoint);
    return { provider: make(), peer: make(), cleanup: async () => undefined };
  });

  it('4 token processes x 50 concurrent getToken calls on the cluster, on a cold cache, reach the token endpoint once and share the token', async () => {
    const mock = await startMockPartner();
    const keyPrefix = `${uniqueName('token-fleet')}:`;
    const workers = Array.from({ length: 4 }, () =>
      spawnTokenWorker({
        MOCK_URL: mock.url,
        REDIS_CLUSTER_URLS: cluster.seedUrls,
        KEY_PREFIX: keyPrefix,
        CONCURRENCY: '50',
        LOCK_LEASE_MS: '2000',
        LOCK_WAIT_MS: '10000',
      }),
    );
    try {
      await Promise.all(workers.map((worker) => worker.next('ready')));
      mock.context.faults.latencyMs = 100;
      for (const worker of workers) worker.go();
      const results = await Promise.all(workers.map((worker) => worker.next('tokens')));
      for (const result of results) expect(result.errors).to.deep.equal([]);
      expect(new Set(results.flatMap((result) => result.distinct as string[])).size).to.equal(1);
      expect(tokenRequests(mock)).to.equal(1);
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
      await mock.stop();
    }
  });

  it('RedisHealthIndicator, on the cluster client with every slot served, is ready', async () => {
    await new RedisHealthIndicator(client).check(new AbortController().signal);
  });

  it('RedisHealthIndicator, on a single-server client pointed at one cluster member, is not ready and names REDIS_CLUSTER_URLS', async () => {
    const member = createClient({ url: `redis://127.0.0.1:${cluster.ports[0]}` });
    await member.connect();
    try {
      await expect(new RedisHealthIndicator(member).check(new AbortController().signal)).to.be.rejectedWith(/REDIS_CLUSTER_URLS/);
    } finally {
      member.destroy();
    }
  });

  it('createRateLimiter, on the cluster, limits every client whatever slot its key lives in', async () => {
    const limiter = createRateLimiter({ budget: 'public', points: 2, windowSeconds: 60, keyPrefix: `${uniqueName('rl')}:`, redis: client });
    const clients = Array.from({ length: 12 }, (_, i) => `203.0.113.${i}`);
    const refused = await Promise.all(
      clients.map(async (address) => {
        await limiter.consume(address);
        await limiter.consume(address);
        return limiter.consume(address).then(
          () => false,
          () => true,
        );
      }),
    );
    expect(refused.filter(Boolean)).to.have.length(clients.length);
  });

  it('duplicate(), as the subscriber, hears what any node publishes', async () => {
    const subscriber = createRedisSubscriber(client, logger);
    try {
      await until(() => subscriber.isReady);
      const heard: string[] = [];
      const channel = uniqueName('channel');
      await subscriber.subscribe(channel, (message) => heard.push(message));
      await client.publish(channel, 'generation-7');
      await until(() => heard.length > 0);
      expect(heard).to.deep.equal(['generation-7']);
    } finally {
      subscriber.destroy();
    }
  });

  // A suite of its own, declared last, so it runs after the contract suites: it kills a primary.
  describe('failover', () => {
    it('a primary killed, the client fails fast while its slots have no primary and serves them again on its own after the promotion', async () => {
      const prefix = `${uniqueName('failover')}:`;
      const dedup = new RedisEventDeduplicator(client, prefix);
      const keys = Array.from({ length: 30 }, (_, i) => `evt_${i}`);
      for (const key of keys) expect((await dedup.claim(key, 60_000)).status).to.equal('claimed');
      // redis-cli --cluster create makes the first three nodes the primaries.
      const killedAt = Date.now();
      await cluster.killNode(cluster.ports[0]);

      let failedFast = 0;
      let slowest = 0;
      let recoveredAt: number | undefined;
      while (recoveredAt === undefined && Date.now() - killedAt < 45_000) {
        const results = await Promise.all(
          keys.map(async (key) => {
            const started = Date.now();
            try {
              return (await dedup.claim(`probe:${key}`, 60_000)).status;
            } catch {
              failedFast += 1;
              return 'failed';
            } finally {
              slowest = Math.max(slowest, Date.now() - started);
            }
          }),
        );
        if (results.every((status) => status !== 'failed')) recoveredAt = Date.now();
        else await delay(100);
      }
      expect(recoveredAt, 'the client serves every slot again').to.not.equal(undefined);
      // Replication is asynchronous: a claim acknowledged just before the kill may be gone (the inbox
      // keeps the event exactly once then); with an idle cluster none is expected to be.
      const lost = (await Promise.all(keys.map((key) => dedup.claim(key, 60_000)))).filter((claim) => claim.status === 'claimed').length;
      console.log(
        `      cluster failover: ${failedFast} calls failed fast in the window (slowest ${slowest} ms), every slot served again ${recoveredAt! - killedAt} ms after the kill, ${lost}/${keys.length} earlier claims lost`,
      );
      await until(() => client.isReady);
      await new RedisHealthIndicator(client).check(new AbortController().signal);
    });

    it('a primary frozen (SIGSTOP), the calls waiting on it fail once the cluster fails it over, and its slots are served again on their own', async () => {
      const dedup = new RedisEventDeduplicator(client, `${uniqueName('frozen')}:`);
      const keys = Array.from({ length: 30 }, (_, i) => `evt_${i}`);
      const frozenAt = Date.now();
      cluster.pauseNode(cluster.ports[2]);
      let recoveredAt: number | undefined;
      let failed = 0;
      for (let round = 0; recoveredAt === undefined && Date.now() - frozenAt < 45_000; round += 1) {
        const results = await Promise.all(
          keys.map((key) =>
            dedup.claim(`${key}_${round}`, 60_000).then(
              () => true,
              () => false,
            ),
          ),
        );
        failed += results.filter((ok) => !ok).length;
        if (results.every(Boolean)) recoveredAt = Date.now();
        else await delay(100);
      }
      expect(recoveredAt, 'every slot served again').to.not.equal(undefined);
      console.log(
        `      cluster, frozen primary: ${failed} calls failed, every slot served again ${recoveredAt! - frozenAt} ms after the freeze`,
      );
    });

    it('the service and a token fleet, while another primary is killed mid-round, answer webhooks, listings and token calls: no 5xx, each event applied once, at most one token fetch per instance, one shared fetch again after recovery', async () => {
      const victim = cluster.ports[1];
      const prefix = `${uniqueName('service')}:`;
      const tokens = await TokenFleet.start(client, `${prefix}{${await cluster.hashTagServedBy(victim, 'oauth:fleet')}}`);
      const webhookSecret = 'whsec_Y2x1c3Rlci1mYWlsb3Zlci10ZXN0LXNlY3JldA==';
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
          skus: Array.from({ length: 10 }, (_, i) => `FAILOVER-${i}`),
          tokens,
          kill: () => cluster.killNode(victim),
        });
        console.log(`      cluster failover under traffic: ${report.summary}`);
      } finally {
        await service.close();
        await tokens.stop();
      }
    });
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(20);
  }
}
