import type { Context } from 'koa';
import { generateProduct, seededRandom } from '../../src/infrastructure/seed/catalog-generator.js';
import type { MockModule, MockPartnerContext } from './mock-module.js';
import { readBody } from './read-body.js';
import { requireBearerToken } from './require-bearer-token.js';

export const DEFAULT_CATALOG_SIZE = 1_000;
const SEED = 42;
const EPOCH = Date.UTC(2026, 0, 1);
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 500;

/** The mock's options under `catalog` (MockPartnerOptions is free-form per module). */
export interface MockCatalogOptions {
  /** Products in the catalogue; the default is DEFAULT_CATALOG_SIZE. */
  readonly size?: number;
}

interface PartnerProductJson {
  sku: string;
  name: string;
  description: string;
  category: string;
  price: string;
  currency: 'INR';
  stock: number;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * API A, the partner catalogue: GET /v1/products?cursor=&limit= (pages in a fixed order with an
 * opaque cursor) and GET /v1/products/{sku}, both behind a bearer token. Deterministic: product i
 * is the seed generator's product i with seed 42, so the demo catalogue `npm start` seeds has the
 * same SKUs. POST /__catalog/products/{sku} {"price": "12.50", "stock": 3} changes a product as the
 * partner would (version + 1); POST /__reset undoes every change.
 * Counters: catalog.list, catalog.product, catalog.notFound, catalog.badRequest.
 */
export const catalogModule: MockModule = (router, context) => {
  const base = buildCatalog(catalogSize(context));
  const index = new Map(base.map((product, i) => [product.sku, i]));
  const changes = () => changedProducts(context);
  const productAt = (i: number) => changes().get(base[i].sku) ?? base[i];

  router.get('/v1/products', requireBearerToken(context), (ctx) => {
    context.stats.increment('catalog.list');
    const limit = parseLimit(ctx.query.limit);
    const start = parseCursor(ctx.query.cursor);
    if (limit === null || start === null || start > base.length) {
      return badRequest(ctx, context, limit === null ? 'invalid_limit' : 'invalid_cursor');
    }
    const end = Math.min(base.length, start + limit);
    const items = Array.from({ length: end - start }, (_, k) => productAt(start + k));
    ctx.body = { items, nextCursor: end < base.length ? encodeCursor(end) : null, total: base.length };
  });

  router.get('/v1/products/:sku', requireBearerToken(context), (ctx) => {
    context.stats.increment('catalog.product');
    const i = index.get(ctx.params.sku);
    if (i === undefined) {
      context.stats.increment('catalog.notFound');
      ctx.status = 404;
      ctx.body = { error: 'not_found', error_description: `no product ${ctx.params.sku}` };
      return;
    }
    ctx.body = productAt(i);
  });

  router.post('/__catalog/products/:sku', async (ctx) => {
    const i = index.get(ctx.params.sku);
    if (i === undefined) {
      ctx.status = 404;
      return;
    }
    const patch = JSON.parse((await readBody(ctx)) || '{}') as { price?: string; stock?: number };
    const current = productAt(i);
    const updated = {
      ...current,
      ...(patch.price === undefined ? {} : { price: patch.price }),
      ...(patch.stock === undefined ? {} : { stock: patch.stock }),
      version: current.version + 1,
      updatedAt: new Date().toISOString(),
    };
    changes().set(current.sku, updated);
    ctx.body = updated;
  });
};

function buildCatalog(size: number): PartnerProductJson[] {
  const random = seededRandom(SEED);
  return Array.from({ length: size }, (_, i) => {
    const draft = generateProduct(i + 1, random, EPOCH);
    return {
      sku: draft.sku,
      name: draft.name,
      description: draft.description,
      category: draft.category,
      price: `${Math.floor(draft.pricePaise / 100)}.${String(draft.pricePaise % 100).padStart(2, '0')}`,
      currency: 'INR',
      stock: draft.stock,
      version: 1,
      createdAt: draft.createdAt!.toISOString(),
      updatedAt: draft.updatedAt!.toISOString(),
    };
  });
}

function catalogSize(context: MockPartnerContext) {
  const size = (context.options.catalog as MockCatalogOptions | undefined)?.size;
  return size !== undefined && Number.isInteger(size) && size >= 0 ? size : DEFAULT_CATALOG_SIZE;
}

function changedProducts(context: MockPartnerContext): Map<string, PartnerProductJson> {
  let changes = context.state.get('catalog') as Map<string, PartnerProductJson> | undefined;
  if (!changes) {
    changes = new Map();
    context.state.set('catalog', changes);
  }
  return changes;
}

function parseLimit(value: unknown): number | null {
  if (value === undefined) return DEFAULT_LIMIT;
  if (typeof value !== 'string' || !/^\d{1,4}$/.test(value)) return null;
  const limit = Number(value);
  return limit >= 1 && limit <= MAX_LIMIT ? limit : null;
}

function encodeCursor(position: number) {
  return Buffer.from(JSON.stringify({ after: position })).toString('base64url');
}

function parseCursor(value: unknown): number | null {
  if (value === undefined || value === '') return 0;
  if (typeof value !== 'string') return null;
  try {
    const { after } = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as { after?: unknown };
    return Number.isInteger(after) && (after as number) >= 0 ? (after as number) : null;
  } catch {
    return null;
  }
}

function badRequest(ctx: Context, context: MockPartnerContext, error: string) {
  context.stats.increment('catalog.badRequest');
  ctx.status = 400;
  ctx.body = { error, error_description: `see the partner API documentation for ${error.replace('invalid_', '')}` };
}
