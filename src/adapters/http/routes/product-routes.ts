import { Router } from '@koa/router';
import type { Context } from 'koa';
import type { GetProduct } from '../../../application/get-product.js';
import type { ListProducts } from '../../../application/list-products.js';
import type { CacheGetOptions, CachedValue, ReadThroughCache } from '../../../application/read-through-cache.js';
import { detailTags, listingTags } from '../../../domain/catalog-tags.js';
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

  // The handlers return cache.get(...).then(...) rather than being async: on a hit that is one
  // promise instead of two, and with a request scope active every promise runs its init hook.
  router.get('/api/products', (ctx) => {
    const { input, query, fingerprint, cacheKey } = listings.parse(ctx.querystring);
    // First pages are what most clients ask for; most pages behind a cursor are asked for once.
    const admission = input.cursor === undefined ? FIRST_SIGHT : SECOND_SIGHT;
    const cached = cache.get(
      cacheKey,
      async () => {
        const after = input.cursor === undefined ? undefined : cursors.decode(input.cursor, fingerprint);
        const page = await listProducts.execute({ ...query, after });
        const nextCursor = page.next ? cursors.encode(page.next, fingerprint) : null;
        // A search page that stopped at its scan budget: shorter than the limit, yet more may follow.
        const partial = page.next !== null && page.items.length < query.limit;
        return withEtag(
          JSON.stringify({
            data: page.items.map(productJson),
            page: { limit: query.limit, nextCursor, hasMore: page.next !== null, partial },
          }),
          listingTags({ query: { ...query, after }, items: page.items, next: page.next }),
        );
      },
      admission,
    );
    return cached.then((value) => send(ctx, '/api/products', value));
  });

  router.get('/api/products/:id', (ctx) => {
    // A plain id and no query string (nearly every request) is what the schemas accept; anything else goes through them.
    const plain = ctx.querystring === '' ? plainProductId(ctx.params.id) : undefined;
    if (plain === undefined) validate(EmptyQuerySchema, ctx.query, 'query');
    const id = plain ?? validate(ProductIdParamsSchema, ctx.params, 'path').id;
    const cached = cache.get(`product:${id}`, async () => {
      const product = await getProduct.execute(id);
      return withEtag(JSON.stringify(productJson(product)), detailTags(product));
    });
    return cached.then((value) => send(ctx, '/api/products/:id', value));
  });

  function send(ctx: Context, route: string, cached: CachedValue) {
    metrics.cacheResults.inc({ route, result: cached.status });
    sendCached(ctx, cached);
  }

  return router;
}

const FIRST_SIGHT: CacheGetOptions = { admit: 'first-sight' };
const SECOND_SIGHT: CacheGetOptions = { admit: 'second-sight' };
const PLAIN_ID = /^[1-9]\d{0,9}$/;

/** The id ProductIdParamsSchema would give for `raw`, or undefined when only the schema can say (and explain). */
function plainProductId(raw: string | undefined): number | undefined {
  if (raw === undefined || !PLAIN_ID.test(raw)) return undefined;
  const id = Number(raw);
  return id <= 2 ** 31 - 1 ? id : undefined;
}
