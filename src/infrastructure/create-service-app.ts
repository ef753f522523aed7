import type { Container } from 'inversify';
import type Koa from 'koa';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { ApplyPartnerEvent } from '../application/apply-partner-event.js';
import { CheckReadiness } from '../application/check-readiness.js';
import { GetAvailability } from '../application/get-availability.js';
import { GetProduct } from '../application/get-product.js';
import { ListProducts } from '../application/list-products.js';
import { ReadThroughCache } from '../application/read-through-cache.js';
import { createHttpApp, type HttpEdgeOptions } from '../adapters/http/create-http-app.js';
import { createRateLimiter } from '../adapters/http/create-rate-limiter.js';
import { CursorCodec } from '../adapters/http/cursor-codec.js';
import { HttpMetrics } from '../adapters/http/http-metrics.js';
import { buildOpenApiDocument } from '../adapters/http/openapi/openapi-document.js';
import { routeSpecs } from '../adapters/http/openapi/route-specs.js';
import { availabilityRoutes } from '../adapters/http/routes/availability-routes.js';
import { docsRoutes } from '../adapters/http/routes/docs-routes.js';
import { healthRoutes } from '../adapters/http/routes/health-routes.js';
import { metricsRoutes, type MetricsSnapshot } from '../adapters/http/routes/metrics-routes.js';
import { partnerWebhookRoutes } from '../adapters/http/routes/partner-webhook-routes.js';
import { productRoutes } from '../adapters/http/routes/product-routes.js';
import { StandardWebhookVerifier } from '../adapters/http/standard-webhook-verifier.js';
import type { RedisClient } from '../adapters/redis/redis-client.js';
import { TYPES } from '../types.js';
import type { Config } from './load-config.js';

export interface ServiceApp {
  readonly app: Koa;
  readonly registry: Registry;
  /** With METRICS_PORT: the app that serves /metrics on that port (and nothing else). */
  readonly metricsApp?: Koa;
}

export interface ServiceAppOptions {
  readonly isShuttingDown: () => boolean;
  /** Off in tests that build many apps in one process. */
  readonly defaultMetrics?: boolean;
  /** The registry /metrics serves; the bootstrap passes the one adapters already registered on. */
  readonly registry?: Registry;
  /** What /metrics serves instead of `registry` alone: cluster workers serve every worker's sum. */
  readonly readMetrics?: () => Promise<MetricsSnapshot | null>;
  /** Keeps the rate-limit budgets, shared by every instance; absent: kept in process. */
  readonly redis?: RedisClient;
}

/** Every route of the service, wired from the container: the one place routers are registered. */
export function createServiceApp(container: Container, options: ServiceAppOptions): ServiceApp {
  const config = container.get<Config>(TYPES.Config);
  const logger = container.get<Logger>(TYPES.Logger);
  const registry = options.registry ?? new Registry();
  const readMetrics = options.readMetrics ?? (async () => ({ contentType: registry.contentType, body: await registry.metrics() }));
  const metrics = new HttpMetrics(registry, { defaultMetrics: options.defaultMetrics });
  // /metrics and /docs are a decision (README, Running in production): here, on a port of their own, or off.
  const metricsHere = config.METRICS_ENABLED && config.METRICS_PORT === undefined;
  const specs = routeSpecs({ webhookBodyLimitBytes: config.WEBHOOK_BODY_LIMIT_BYTES, metrics: metricsHere, docs: config.DOCS_ENABLED });
  const document = buildOpenApiDocument(specs, { title: 'FarmLokal API', version: '0.1.0' });
  const app = createHttpApp({
    logger,
    metrics,
    edge: { ...edgeOptions(config, options.redis), routeSpecs: specs },
    routers: [
      ...(config.DOCS_ENABLED ? [docsRoutes({ document })] : []),
      healthRoutes({ checkReadiness: container.get(CheckReadiness), isShuttingDown: options.isShuttingDown }),
      ...(metricsHere ? [metricsRoutes({ readMetrics })] : []),
      productRoutes({
        listProducts: container.get(ListProducts),
        getProduct: container.get(GetProduct),
        cache: container.get(ReadThroughCache),
        cursors: new CursorCodec(config.CURSOR_SECRET),
        metrics,
      }),
      partnerWebhookRoutes({
        applyPartnerEvent: container.get(ApplyPartnerEvent),
        verifier: new StandardWebhookVerifier(config.WEBHOOK_SECRETS, config.WEBHOOK_TOLERANCE_SECONDS),
        bodyLimitBytes: config.WEBHOOK_BODY_LIMIT_BYTES,
      }),
      availabilityRoutes({ getAvailability: container.get(GetAvailability), registry }),
    ],
  });
  const metricsApp =
    config.METRICS_ENABLED && config.METRICS_PORT !== undefined
      ? createHttpApp({ logger, metrics, routers: [metricsRoutes({ readMetrics })] })
      : undefined;
  return { app, registry, metricsApp };
}

function edgeOptions(config: Config, redis: RedisClient | undefined): HttpEdgeOptions {
  const limiter = (budget: 'public' | 'webhook', points: number, windowSeconds: number) =>
    config.RATE_LIMIT_ENABLED && points > 0
      ? createRateLimiter({ budget, points, windowSeconds, keyPrefix: config.REDIS_KEY_PREFIX, redis })
      : undefined;
  const publicLimiter = limiter('public', config.RATE_LIMIT_PUBLIC_POINTS, config.RATE_LIMIT_PUBLIC_WINDOW_SECONDS);
  const webhookLimiter = limiter('webhook', config.RATE_LIMIT_WEBHOOK_POINTS, config.RATE_LIMIT_WEBHOOK_WINDOW_SECONDS);
  return {
    trustProxy: config.TRUST_PROXY,
    cors: { origins: config.CORS_ORIGINS },
    hstsMaxAgeSeconds: config.HSTS_MAX_AGE_SECONDS,
    requestDeadlineMs: config.REQUEST_DEADLINE_MS,
    requestLimits: { maxUrlLength: config.HTTP_MAX_URL_LENGTH, maxQueryParameters: config.HTTP_MAX_QUERY_PARAMS },
    rateLimiters: {
      ...(publicLimiter ? { public: publicLimiter } : {}),
      ...(webhookLimiter ? { webhook: webhookLimiter } : {}),
    },
  };
}
