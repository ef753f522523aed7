import type { RouteSpec } from '../route-spec.js';
import { ProblemSchema } from '../../schemas/problem-schema.js';
import { ProductPageSchema, ProductSchema } from '../../schemas/product-response-schemas.js';
import { EmptyQuerySchema, ListProductsQuerySchema, ProductIdParamsSchema } from '../../schemas/product-schemas.js';

const CACHE_HEADERS = {
  ETag: { description: 'Strong validator; send it back in If-None-Match for a 304.' },
  'Cache-Control': { description: 'public, max-age=5' },
  'X-Cache': {
    description:
      'How the service cache answered: HIT, MISS, or STALE (a cached page past its freshness, or one a write changed less than CACHE_WRITE_GRACE_MS ago, served while it is rebuilt).',
  },
};

const MANGO = {
  id: 42,
  sku: 'FL-000042',
  name: 'Organic Alphonso Mango 1 kg',
  description: 'Handpicked near Ratnagiri.',
  category: 'fruit',
  price: '450.00',
  currency: 'INR',
  stock: 12,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-02T08:30:00.000Z',
};

const UNAVAILABLE = {
  description:
    'Retry after Retry-After seconds. The title says why: "Service temporarily unavailable" (the catalogue store is not answering), ' +
    '"Service overloaded" (no catalogue read connection came free within the short wait: shed, nothing ran), ' +
    '"Deadline exceeded" (a statement or the request ran past its time limit and was cancelled).',
  contentType: 'application/problem+json',
  schema: ProblemSchema,
  headers: { 'Retry-After': { description: 'Seconds to wait before retrying.' } },
};

export const productRouteSpecs: readonly RouteSpec[] = [
  {
    method: 'get',
    path: '/api/products',
    operationId: 'listProducts',
    summary: 'List products, filtered, sorted and paged by cursor',
    tags: ['Catalogue'],
    request: {
      query: ListProductsQuerySchema,
      examples: { query: { limit: '2', category: 'fruit,dairy', sort: 'price', order: 'asc', minPrice: '10.00', q: 'mango' } },
    },
    responses: {
      200: {
        description:
          'One page of products. A search examines a bounded number of products per page (see README, ' +
          'Search), so a page may be short or even empty with `hasMore: true`, `partial: true` and a ' +
          '`nextCursor`: the search looked this far and continues from there. Following nextCursor ' +
          'yields every match exactly once, in order.',
        schema: ProductPageSchema,
        headers: CACHE_HEADERS,
        example: { data: [MANGO], page: { limit: 2, nextCursor: 'eyJmIjoiYWJjIn0.c2lnbmF0dXJl', hasMore: true, partial: true } },
      },
      304: { description: 'The representation named in If-None-Match is still current.', headers: CACHE_HEADERS },
      503: UNAVAILABLE,
    },
  },
  {
    method: 'get',
    path: '/api/products/:id',
    operationId: 'getProduct',
    summary: 'One product by id',
    tags: ['Catalogue'],
    request: { query: EmptyQuerySchema, params: ProductIdParamsSchema, examples: { params: { id: '42' } } },
    responses: {
      200: { description: 'The product.', schema: ProductSchema, headers: CACHE_HEADERS, example: MANGO },
      304: { description: 'The representation named in If-None-Match is still current.', headers: CACHE_HEADERS },
      404: {
        description: 'No product has this id.',
        contentType: 'application/problem+json',
        schema: ProblemSchema,
        example: {
          type: 'urn:farmlokal:problem:product-not-found',
          title: 'Product not found',
          status: 404,
          detail: 'No product has id 999999.',
          instance: '/api/products/999999',
          requestId: '0b6f1c1e-6f0a-4f43-9a55-2d4f0c8f7f11',
          code: 'PRODUCT_NOT_FOUND',
        },
      },
      503: UNAVAILABLE,
    },
  },
];
