import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { createHttpServer } from '../adapters/http/create-http-server.js';
import type { MetricsSnapshot } from '../adapters/http/routes/metrics-routes.js';
import { watchSqliteExternalWrites } from '../adapters/persistence/sqlite-external-writes.js';
import { RegisterPartnerWebhook } from '../application/register-partner-webhook.js';
import type { CatalogCache } from '../domain/ports/catalog-cache.js';
import type { ProductRepository } from '../domain/ports/product-repository.js';
import { TYPES } from '../types.js';
import { buildContainer, type Overrides } from './container.js';
import { createDatabasePools } from './create-database-pools.js';
import { createReadReplicas } from './create-read-replicas.js';
import { createLogger } from './create-logger.js';
import { acquireEmbeddedInstanceLock } from './embedded-instance-lock.js';
import { createRedisClient, createRedisSubscriber, redisTopology } from './create-redis-client.js';
import { createServiceApp } from './create-service-app.js';
import type { Config } from './load-config.js';
import { migrateLatest } from './migrate.js';
import { registerWebhookOnStart } from './register-webhook-on-start.js';
import { seedDemoCatalog } from './seed/seed-demo-catalog.js';
import { warnIfBufferPoolSmall } from './warn-small-buffer-pool.js';

const EXTERNAL_WRITE_POLL_MS = 250;

export interface RunningService {
  readonly server: Server;
  readonly url: string;
  /**
   * Drains and stops within about SHUTDOWN_TIMEOUT_MS: readiness 503, no new connections, in-flight
   * requests finish; past the drain deadline their connections close, their statements are killed
   * and the pools close.
   */
  shutdown(reason: string): Promise<void>;
}

export interface StartOptions {
  readonly logger?: Logger;
  /** False in cluster workers: the primary has migrated and seeded already. */
  readonly prepareDatabase?: boolean;
  readonly overrides?: Overrides;
  /** What /metrics serves, given this process's registry; cluster workers pass clusterMetricsSource. */
  readonly metricsSource?: (registry: Registry) => () => Promise<MetricsSnapshot | null>;
}

export async function startService(config: Config, options: StartOptions = {}): Promise<RunningService> {
  const logger = options.logger ?? createLogger(config);
  describeBackends(config, logger);
  const pools = await createDatabasePools(config);
  const knex = pools.write;
  const releaseInstanceLock = config.DATABASE_URL ? () => undefined : acquireEmbeddedInstanceLock(config.SQLITE_FILE);
  const topology = redisTopology(config);
  const redis = topology ? await createRedisClient(topology, logger) : undefined;
  const redisSubscriber = redis && config.CACHE_NEAR_ENTRIES > 0 ? createRedisSubscriber(redis, logger) : undefined;
  const registry = new Registry();
  const readReplicas = await createReadReplicas(config, registry);
  const container = buildContainer(
    config,
    { knex, readKnex: pools.read, healthKnex: pools.health, readReplicas, redis, redisSubscriber, logger, registry },
    options.overrides,
  );

  if (options.prepareDatabase ?? true) {
    if (config.MIGRATE_ON_START) {
      const applied = await migrateLatest(knex);
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    }
    if (config.DATABASE_URL) await warnIfBufferPoolSmall(knex, logger);
    if (!config.DATABASE_URL && config.SEED_DEMO) {
      const seeded = await seedDemoCatalog(knex, container.get<ProductRepository>(TYPES.ProductRepository));
      if (seeded > 0) logger.info({ products: seeded }, 'seeded the demo catalogue');
    }
  }

  const externalWrites = watchExternalWrites(config, knex, redis ? null : container.get<CatalogCache>(TYPES.CatalogCache), logger);

  let shuttingDown = false;
  const readMetrics = options.metricsSource?.(registry);
  const { app, metricsApp } = createServiceApp(container, { isShuttingDown: () => shuttingDown, registry, readMetrics, redis });

  const server = createHttpServer(app.callback(), {
    maxHeaderBytes: config.HTTP_MAX_HEADER_BYTES,
    keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
  logger.info({ url }, 'listening');
  const metricsServer = metricsApp ? await listenForMetrics(metricsApp, config, logger) : undefined;
  const registration = new AbortController();
  void registerWebhookOnStart(config, container.get(RegisterPartnerWebhook), logger, registration.signal);

  let stopped: Promise<void> | undefined;
  const shutdown = (reason: string) => {
    stopped ??= (async () => {
      shuttingDown = true;
      registration.abort();
      logger.info({ reason }, 'shutting down: readiness is 503, finishing in-flight requests');
      // The drain gets most of the bound; the rest cancels what still runs and closes the pools.
      const cancelGraceMs = Math.min(1_000, Math.floor(config.SHUTDOWN_TIMEOUT_MS / 4));
      await closeServer(server, config.SHUTDOWN_TIMEOUT_MS - cancelGraceMs, logger);
      metricsServer?.closeAllConnections();
      metricsServer?.close();
      await externalWrites?.stop();
      await Promise.all([pools.destroy(cancelGraceMs), readReplicas?.destroy(cancelGraceMs)]);
      if (redis?.isOpen) redis.destroy();
      if (redisSubscriber?.isOpen) redisSubscriber.destroy();
      releaseInstanceLock();
      logger.info('shutdown complete');
    })();
    return stopped;
  };
  return { server, url, shutdown };
}

/**
 * On the embedded default the catalogue cache lives in this process, out of reach of a CLI writing
 * to the same SQLite file (`npm run catalog:sync`): such a commit invalidates the whole cache within
 * EXTERNAL_WRITE_POLL_MS. With Redis the CLI invalidates the shared cache itself.
 */
function watchExternalWrites(config: Config, knex: Knex, cache: CatalogCache | null, logger: Logger) {
  if (config.DATABASE_URL || !cache) return null;
  return watchSqliteExternalWrites(knex, () => cache.invalidateAll(), {
    intervalMs: EXTERNAL_WRITE_POLL_MS,
    onError: (error) => logger.warn({ err: error }, 'could not check the SQLite file for other writers'),
  });
}

function describeBackends(config: Config, logger: Logger) {
  const database = config.DATABASE_URL ? 'mysql' : `sqlite (${config.SQLITE_FILE})`;
  const cache = redisTopology(config) ? `redis (${redisTopology(config)!.kind})` : 'in-process';
  logger.info({ database, cache }, `backends: database=${database}, cache/locks=${cache}`);
  if (!redisTopology(config)) {
    logger.warn(
      'no REDIS_URL (or REDIS_CLUSTER_URLS, REDIS_SENTINELS): caches, locks and deduplication are in-process, correct for a single instance only',
    );
  }
  if (config.OAUTH_TOKEN_URL) {
    logger.info(
      { tokenUrl: config.OAUTH_TOKEN_URL, clientAuth: config.OAUTH_CLIENT_AUTH },
      'partner authentication: OAuth2 client credentials',
    );
  } else {
    logger.warn(
      'partner not configured: partner features are off (availability answers 503, webhook deliveries 401); set OAUTH_TOKEN_URL, OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET and PARTNER_API_URL, or for development PARTNER_MODE=mock with `npm start`',
    );
  }
  if (config.WEBHOOK_SECRETS.length === 0) {
    logger.warn('no WEBHOOK_SECRETS: every partner webhook delivery is refused with 401 until one is set');
  }
  if (config.usesDevelopmentCursorSecret && config.DATABASE_URL) {
    logger.warn('CURSOR_SECRET is the development default; set a secret of your own in production');
  }
}

/** /metrics on METRICS_PORT, for a scraper on a private network; the public port does not serve it. */
async function listenForMetrics(metricsApp: Koa, config: Config, logger: Logger): Promise<Server> {
  const handle = metricsApp.callback();
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.METRICS_PORT, config.HOST, () => resolve());
  });
  logger.info({ port: (server.address() as AddressInfo).port, host: config.HOST }, 'metrics listening');
  return server;
}

async function closeServer(server: Server, timeoutMs: number, logger: Logger) {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Keep-alive connections that finish a request while draining are closed as they go idle.
  const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
  const deadline = setTimeout(() => {
    logger.warn({ timeoutMs }, 'shutdown deadline reached; closing remaining connections and cancelling their statements');
    server.closeAllConnections();
  }, timeoutMs);
  try {
    await closed;
  } finally {
    clearInterval(idleSweep);
    clearTimeout(deadline);
  }
}
