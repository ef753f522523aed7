import { Router } from '@koa/router';
import type { Registry } from 'prom-client';
import { instruments } from '../../shared/instruments.js';
import type { Availability, GetAvailability } from '../../../application/get-availability.js';
import { Price } from '../../../domain/price.js';
import { CURRENCY } from '../../../domain/product.js';
import { EmptyQuerySchema, ProductIdParamsSchema } from '../schemas/product-schemas.js';
import { validate } from '../validation.js';

export interface AvailabilityRouteDeps {
  readonly getAvailability: GetAvailability;
  readonly registry: Registry;
}

/** GET /api/products/:id/availability: live price and stock from the partner, or the last known, marked stale. */
export function availabilityRoutes({ getAvailability, registry }: AvailabilityRouteDeps): Router {
  const router = new Router();
  const answers = instruments.counter(registry, {
    name: 'availability_responses_total',
    help: 'Availability answers by source: live from the partner, or stale (the last known good values, served as a fallback)',
    labelNames: ['source'],
  });

  router.get('/api/products/:id/availability', async (ctx) => {
    validate(EmptyQuerySchema, ctx.query, 'query');
    const { id } = validate(ProductIdParamsSchema, ctx.params, 'path');
    const availability = await getAvailability.execute(id);
    answers.inc({ source: availability.stale ? 'stale' : 'live' });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = availabilityJson(availability);
  });

  return router;
}

function availabilityJson(availability: Availability) {
  return {
    productId: availability.productId,
    sku: availability.sku,
    price: Price.formatRupees(availability.pricePaise),
    currency: CURRENCY,
    stock: availability.stock,
    inStock: availability.stock > 0,
    asOf: availability.asOf.toISOString(),
    stale: availability.stale,
  };
}
