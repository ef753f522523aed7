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
import { createHttpApp } from '../adapters/http/create-http-app.js';
import { CursorCodec } from '../adapters/http/cursor-codec.js';
import { HttpMetrics } from '../adapters/http/http-metrics.js';
import { availabilityRoutes } from '../adapters/http/routes/availability-routes.js';
import { healthRoutes } from '../adapters/http/routes/health-routes.js';
import { partnerWebhookRoutes } from '../adapters/http/routes/partner-webhook-routes.js';
import { productRoutes } from '../adapters/http/routes/product-routes.js';
import { StandardWebhookVerifier } from '../adapters/http/standard-webhook-verifier.js';
import { TYPES } from '../types.js';
import type { Config } from './load-config.js';

export interface ServiceApp {
  readonly app: Koa;
  readonly registry: Registry;
}

export interface ServiceAppOptions {
  readonly isShuttingDown: () => boolean;
  /** Off in tests that build many apps in one process. */
  readonly defaultMetrics?: boolean;
  /** The registry /metrics serves; the bootstrap passes the one adapters already registered on. */
  readonly registry?: Registry;
}

/** Every route of the service, wired from the container: the one place routers are registered. */
export function createServiceApp(container: Container, options: ServiceAppOptions): ServiceApp {
  const config = container.get<Config>(TYPES.Config);
  const logger = container.get<Logger>(TYPES.Logger);
  const registry = options.registry ?? new Registry();
  const metrics = new HttpMetrics(registry, { defaultMetrics: options.defaultMetrics });
  const app = createHttpApp({
    logger,
    metrics,
    routers: [
      healthRoutes({ checkReadiness: container.get(CheckReadiness), registry, isShuttingDown: options.isShuttingDown }),
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
  return { app, registry };
}
