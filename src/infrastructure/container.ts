import 'reflect-metadata';
import { Container } from 'inversify';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ApplyPartnerEvent, type PartnerEventSettings } from '../application/apply-partner-event.js';
import { CheckReadiness } from '../application/check-readiness.js';
import { GetAvailability } from '../application/get-availability.js';
import { GetProduct } from '../application/get-product.js';
import { ListProducts } from '../application/list-products.js';
import { ReadThroughCache, type CatalogCacheSettings } from '../application/read-through-cache.js';
import { RegisterPartnerWebhook } from '../application/register-partner-webhook.js';
import { SyncCatalog } from '../application/sync-catalog.js';
import { AlwaysUpHealthIndicator } from '../adapters/in-memory/always-up-health-indicator.js';
import { InMemoryCatalogCache } from '../adapters/in-memory/in-memory-catalog-cache.js';
import { InMemoryEventDeduplicator } from '../adapters/in-memory/in-memory-event-deduplicator.js';
import { InMemoryLastKnownAvailability } from '../adapters/in-memory/in-memory-last-known-availability.js';
import { KnexHealthIndicator } from '../adapters/persistence/knex-health-indicator.js';
import { HttpWebhookSubscriptions } from '../adapters/partner/http-webhook-subscriptions.js';
import { UnconfiguredWebhookSubscriptions } from '../adapters/partner/unconfigured-webhook-subscriptions.js';
import { KnexProductEventStore } from '../adapters/persistence/knex-product-event-store.js';
import { Bulkhead } from '../adapters/shared/bulkhead.js';
import { OrdinaryTraffic } from '../adapters/shared/request-traffic.js';
import { KnexProductRepository } from '../adapters/persistence/knex-product-repository.js';
import { ReplicaRoutedProductRepository } from '../adapters/persistence/replica-routed-product-repository.js';
import type { Replica, ReplicaRouter } from '../adapters/persistence/replica-router.js';
import { KnexSyncCheckpoints } from '../adapters/persistence/knex-sync-checkpoints.js';
import type { RedisClient } from '../adapters/redis/redis-client.js';
import { RedisCatalogCache } from '../adapters/redis/redis-catalog-cache.js';
import { RedisEventDeduplicator } from '../adapters/redis/redis-event-deduplicator.js';
import { RedisHealthIndicator } from '../adapters/redis/redis-health-indicator.js';
import { RedisLastKnownAvailability } from '../adapters/redis/redis-last-known-availability.js';
import { RedisNearCatalogCache } from '../adapters/redis/redis-near-catalog-cache.js';
import type { Clock } from '../domain/ports/clock.js';
import type { HealthIndicator } from '../domain/ports/health-indicator.js';
import type { TokenProvider } from '../domain/ports/token-provider.js';
import { TYPES } from '../types.js';
import { createTokenProvider } from './create-token-provider.js';
import { createExternalCatalog } from './create-external-catalog.js';
import type { Config } from './load-config.js';

/** Connections the container's adapters use; the bootstrap owns and closes them. */
export interface Infrastructure {
  /**
   * Writes (webhooks, inbox, checkpoints), and everything else when the two below are absent.
   * Absent where nothing resolved touches the database (webhooks:register); resolving a
   * database-backed port then fails, naming the port.
   */
  readonly knex?: Knex;
  /** The catalogue read pool (a bulkhead of its own, see createDatabasePools); absent: `knex`. */
  readonly readKnex?: Knex;
  /** The readiness probe's own connection; absent: `knex`. */
  readonly healthKnex?: Knex;
  /** Read replicas (DATABASE_READ_URLS) for listings, detail and search; absent: none. */
  readonly readReplicas?: { readonly router: ReplicaRouter; readonly replicas: readonly Replica[] };
  /** Absent on the embedded default: Redis-backed ports then use in-process adapters. */
  readonly redis?: RedisClient;
  /** A second Redis connection for the cache's invalidation channel; absent: no near cache tier. */
  readonly redisSubscriber?: RedisClient;
  readonly logger: Logger;
  /** The app's Prometheus registry, for adapters that count (token metrics); absent in some tests. */
  readonly registry?: Registry;
}

export type Overrides = Partial<Record<keyof typeof TYPES, unknown>>;

const systemClock: Clock = { now: () => Date.now() };
// Ordinary requests a second (per process, besides budgeted searches) from which budgeted searches
// are held to SEARCH_BUSY_RATE: a trickle of other traffic does not slow them.
const SEARCH_YIELD_RATE = 100;

/**
 * Binds every port to its adapter for this configuration; `overrides` replace single bindings.
 * Bindings are lazy: an adapter is built when first resolved, once, so wiring order does not
 * matter and a CLI builds only what the use case it resolves needs.
 */
export function buildContainer(config: Config, infra: Infrastructure, overrides: Overrides = {}): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  const bind = <T>(name: keyof typeof TYPES, make: () => T) => {
    const override = overrides[name] as T | undefined;
    if (override !== undefined) container.bind<T>(TYPES[name]).toConstantValue(override);
    else
      container
        .bind<T>(TYPES[name])
        .toDynamicValue(() => make())
        .inSingletonScope();
  };
  const { redis, logger } = infra;
  const database = (port: keyof typeof TYPES): Knex => {
    if (infra.knex) return infra.knex;
    throw new Error(`${port} needs a database, and this composition was built without one (Infrastructure.knex)`);
  };
  const prefix = config.REDIS_KEY_PREFIX;

  bind('Config', () => config);
  bind('Logger', () => logger);
  bind('Clock', () => systemClock);
  bind('TokenProvider', () => createTokenProvider(config, { redis, logger, clock: systemClock, registry: infra.registry }));
  bind('ProductRepository', () => {
    // One turn-taking for every budgeted search of this process, whichever database serves it. It
    // yields to ordinary requests: while this process answers at least SEARCH_YIELD_RATE of them a
    // second besides the searches, budgeted searches start at most SEARCH_BUSY_RATE a second.
    const searches: Bulkhead = new Bulkhead({
      name: 'search',
      slots: config.SEARCH_CONCURRENCY,
      maxQueue: config.SEARCH_QUEUE_LENGTH,
      maxWaitMs: config.SEARCH_QUEUE_WAIT_MS,
      pacing: { busy: () => ordinary.busy(), perSecond: config.SEARCH_BUSY_RATE },
    });
    const ordinary = new OrdinaryTraffic(() => searches.completed, SEARCH_YIELD_RATE);
    const repository = (knex: Knex) => new KnexProductRepository(knex, undefined, undefined, searches);
    const primary = repository(infra.readKnex ?? database('ProductRepository'));
    const replicas = infra.readReplicas;
    if (!replicas) return primary;
    const byName = new Map(replicas.replicas.map((replica) => [replica.name, repository(replica.knex)]));
    return new ReplicaRoutedProductRepository(primary, byName, replicas.router);
  });
  bind('CatalogCache', () => {
    const graceMs = config.CACHE_WRITE_GRACE_MS;
    if (!redis) return new InMemoryCatalogCache(Date.now, { graceMs });
    const maxEntryTtlMs = (config.CACHE_FRESH_SECONDS + config.CACHE_STALE_SECONDS) * 1000;
    const database = config.REDIS_URL ? Number(new URL(config.REDIS_URL).pathname.slice(1) || 0) : 0;
    const shared = new RedisCatalogCache(redis, prefix, { maxEntryTtlMs, database, graceMs });
    shared.watchServer((error) => logger.warn({ err: error }, 'catalogue cache: could not check the Redis server identity'));
    const near = { maxEntries: config.CACHE_NEAR_ENTRIES, maxAgeMs: config.CACHE_NEAR_MAX_AGE_MS };
    return infra.redisSubscriber && near.maxEntries > 0 && near.maxAgeMs > 0
      ? new RedisNearCatalogCache(shared, infra.redisSubscriber, near)
      : shared;
  });
  bind('ProductEventStore', () => new KnexProductEventStore(database('ProductEventStore')));
  bind('EventDeduplicator', () => (redis ? new RedisEventDeduplicator(redis, prefix) : new InMemoryEventDeduplicator()));
  bind<PartnerEventSettings>('PartnerEventSettings', () => ({
    claimLeaseMs: config.WEBHOOK_CLAIM_LEASE_MS,
    doneRetentionMs: 72 * 3_600_000,
  }));
  bind('WebhookSubscriptions', () =>
    config.PARTNER_API_URL
      ? new HttpWebhookSubscriptions(
          { baseUrl: config.PARTNER_API_URL, timeoutMs: config.PARTNER_DEADLINE_MS },
          container.get<TokenProvider>(TYPES.TokenProvider),
        )
      : new UnconfiguredWebhookSubscriptions(),
  );
  bind('ExternalCatalog', () =>
    createExternalCatalog(config, { tokens: container.get<TokenProvider>(TYPES.TokenProvider), registry: infra.registry }),
  );
  const retentionMs = config.AVAILABILITY_RETENTION_SECONDS * 1000;
  bind('LastKnownAvailability', () => {
    const local = new InMemoryLastKnownAvailability(retentionMs);
    return redis ? new RedisLastKnownAvailability(redis, prefix, retentionMs, local, logger) : local;
  });
  bind('SyncCheckpoints', () => new KnexSyncCheckpoints(database('SyncCheckpoints')));
  bind<CatalogCacheSettings>('CatalogCacheSettings', () => ({
    freshMs: config.CACHE_FRESH_SECONDS * 1000,
    staleMs: config.CACHE_STALE_SECONDS * 1000,
    jitter: 0.1,
    leaseMs: 5_000,
  }));
  bind<HealthIndicator[]>('HealthIndicators', () => [
    new KnexHealthIndicator(infra.healthKnex ?? database('HealthIndicators')),
    redis ? new RedisHealthIndicator(redis) : new AlwaysUpHealthIndicator('cache (in-process)'),
  ]);

  container.bind(ReadThroughCache).toSelf();
  container.bind(ListProducts).toSelf();
  container.bind(GetProduct).toSelf();
  container.bind(CheckReadiness).toSelf();
  container.bind(ApplyPartnerEvent).toSelf();
  container.bind(RegisterPartnerWebhook).toSelf();
  container.bind(GetAvailability).toSelf();
  container.bind(SyncCatalog).toSelf();
  return container;
}
