import { Router } from '@koa/router';
import type { GetProduct } from '../../../application/get-product.js';
import type { ListProducts } from '../../../application/list-products.js';
import type { ReadThroughCache } from '../../../application/read-through-cache.js';
import { sortValueOf } from '../../../domain/product-query.js';
import type { CursorCodec } from '../cursor-codec.js';
import type { HttpMetrics } from '../http-metrics.js';
import { ListingRequests } from '../listing-requests.js';
import { productJson } from '../product-json.js';
import { EmptyQuerySchema, ProductIdParamsSchema } from '../schemas/product-schemas.js';
import { sendCached, withEtag } from '../send-cached.js';
import { validate } from '../validation.js';

export interface ProductRouteDeps {
  readonly listProducts: ListProducts;
  readonly getProduct: GetProduct;
  readonly cache: ReadThroughCache;
  readonly cursors: CursorCodec;
  readonly metrics: HttpMetrics;
}

export function productRoutes({ listProducts, getProduct, cache, cursors, metrics }: ProductRouteDeps): Router {
  const router = new Router();

  const listings = new ListingRequests();

  router.get('/api/products', async (ctx) => {
    const { input, query, fingerprint, cacheKey } = listings.parse(ctx.querystring);
    // First pages are what most clients ask for; most pages behind a cursor are asked for once.
    const admit = input.cursor === undefined ? 'first-sight' : 'second-sight';
    const cached = await cache.get(cacheKey, async () => {
      const after = input.cursor === undefined ? undefined : cursors.decode(input.cursor, fingerprint);
      const page = await listProducts.execute({ ...query, after });
      const last = page.items.at(-1);
      const nextCursor =
        page.hasMore && last ? cursors.encode({ value: sortValueOf(last, query.sort), id: last.id }, fingerprint) : null;
      return withEtag(
        JSON.stringify({ data: page.items.map(productJson), page: { limit: query.limit, nextCursor, hasMore: page.hasMore } }),
      );
    }, { admit });
    metrics.cacheResults.inc({ route: '/api/products', result: cached.status });
    sendCached(ctx, cached);
  });

  router.get('/api/products/:id', async (ctx) => {
    validate(EmptyQuerySchema, ctx.query, 'query');
    const { id } = validate(ProductIdParamsSchema, ctx.params, 'path');
    const cached = await cache.get(`product:${id}`, async () =>
      withEtag(JSON.stringify(productJson(await getProduct.execute(id)))),
    );
    metrics.cacheResults.inc({ route: '/api/products/:id', result: cached.status });
    sendCached(ctx, cached);
  });

  return router;
}
