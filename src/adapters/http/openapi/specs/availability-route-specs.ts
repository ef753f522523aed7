import type { RouteSpec } from '../route-spec.js';
import { AvailabilitySchema } from '../../schemas/availability-response-schema.js';
import { ProblemSchema } from '../../schemas/problem-schema.js';
import { EmptyQuerySchema, ProductIdParamsSchema } from '../../schemas/product-schemas.js';

export const availabilityRouteSpecs: readonly RouteSpec[] = [
  {
    method: 'get',
    path: '/api/products/:id/availability',
    operationId: 'getAvailability',
    summary: 'Live price and stock of one product from the partner',
    description: 'When the partner cannot answer, the last known good values are served with `stale: true`.',
    tags: ['Catalogue'],
    request: { query: EmptyQuerySchema, params: ProductIdParamsSchema, examples: { params: { id: '42' } } },
    responses: {
      200: {
        description: 'Price and stock, live or last known.',
        schema: AvailabilitySchema,
        headers: { 'Cache-Control': { description: 'no-store' } },
        example: {
          productId: 42,
          sku: 'FL-000042',
          price: '455.00',
          currency: 'INR',
          stock: 9,
          inStock: true,
          asOf: '2026-01-02T08:30:00.000Z',
          stale: false,
        },
      },
      404: {
        description: 'No product has this id, or the partner does not offer it.',
        contentType: 'application/problem+json',
        schema: ProblemSchema,
      },
      503: {
        description:
          'The partner is not answering, or refused the request (authentication included), and nothing is known yet; or the product lookup could not run: ' +
          'the database is not answering, "Service overloaded" (no catalogue read connection came free in time), "Deadline exceeded". Retry after Retry-After seconds.',
        contentType: 'application/problem+json',
        schema: ProblemSchema,
        headers: { 'Retry-After': { description: 'Seconds to wait before retrying.' } },
      },
    },
  },
];
