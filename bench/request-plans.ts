import type { Knex } from 'knex';
import { CursorCodec } from '../src/adapters/http/cursor-codec.js';
import { normaliseListing } from '../src/adapters/http/product-listing.js';
import { ListProductsQuerySchema } from '../src/adapters/http/schemas/product-schemas.js';
import type { KeysetPosition, SortField, SortOrder } from '../src/domain/product-query.js';
import { CATEGORY_SLUGS, seededRandom } from '../src/infrastructure/seed/catalog-generator.js';
import type { AdversarialQuery } from './adversarial-corpus.js';

export const PAGE_SIZE = 20;
export const DEEP_PAGE = 5_000;
/** Above every product id: a position (v, BEYOND_IDS + j) starts at the first product with value v. */
const BEYOND_IDS = 1_000_000_000;
/** Sort values before every product's in ascending order, and after every one in descending order. */
const LOWEST: Record<SortField, string | number> = { createdAt: 0, price: 0, name: '' };
const HIGHEST: Record<SortField, string | number> = {
  createdAt: Number.MAX_SAFE_INTEGER,
  price: Number.MAX_SAFE_INTEGER,
  name: '\u{10FFFF}',
};

const SORTS: SortField[] = ['createdAt', 'price', 'name'];
const ORDERS: SortOrder[] = ['asc', 'desc'];
const SORT_COLUMNS: Record<SortField, string> = { createdAt: 'created_at', price: 'price_paise', name: 'name' };

/** One listing request, as the service takes it and as the keyset ceiling takes it. */
export interface Listing {
  readonly sort: SortField;
  readonly order: SortOrder;
  readonly category?: string;
  readonly q?: string;
  readonly position?: KeysetPosition;
}

export class RequestPlans {
  private readonly cursors: CursorCodec;

  constructor(
    private readonly knex: Knex,
    secret: string,
  ) {
    this.cursors = new CursorCodec(secret);
  }

  /** The service's URL for a listing, with a cursor signed as the service would sign it. */
  servicePath(listing: Listing): string {
    const params = new URLSearchParams({ limit: String(PAGE_SIZE), sort: listing.sort, order: listing.order });
    if (listing.category) params.set('category', listing.category);
    if (listing.q) params.set('q', listing.q);
    if (listing.position) {
      const { fingerprint } = normaliseListing({
        limit: PAGE_SIZE,
        sort: listing.sort,
        order: listing.order,
        category: listing.category,
        q: listing.q,
      });
      params.set('cursor', this.cursors.encode(listing.position, fingerprint));
    }
    return `/api/products?${params.toString()}`;
  }

  /**
   * A URL for `query` that is a cache key of its own for every `n` and selects the same rows: a
   * signed cursor before every product (its id, n, breaks no tie), or for a deep query at the
   * catalogue's middle value of the sort (`middle`), so every request reaches the database.
   */
  uniquePath(query: AdversarialQuery, n: number, middle: Readonly<Record<SortField, string | number>>): string {
    const input = {
      limit: query.limit,
      sort: query.sort,
      order: query.order,
      ...(query.categories ? { category: query.categories.join(',') } : {}),
      ...(query.minPrice ? { minPrice: query.minPrice } : {}),
      ...(query.maxPrice ? { maxPrice: query.maxPrice } : {}),
      ...(query.q ? { q: query.q } : {}),
    };
    const desc = query.order === 'desc';
    const value = query.deep ? middle[query.sort] : (desc ? HIGHEST : LOWEST)[query.sort];
    const id = query.deep && desc ? BEYOND_IDS + n : n;
    // Through the route's schema, as the server reads it (prices become paise there).
    const { fingerprint } = normaliseListing(ListProductsQuerySchema.parse({ ...input, limit: String(query.limit) }));
    const cursor = this.cursors.encode({ value, id }, fingerprint);
    return `/api/products?${new URLSearchParams({ ...input, limit: String(query.limit), cursor }).toString()}`;
  }

  /** The sort value of the product halfway through each sort order. */
  async middleValues(): Promise<Record<SortField, string | number>> {
    const { count } = (await this.knex('products').count({ count: '*' }).first()) as { count: number };
    const at = async (column: string) =>
      (
        (await this.knex('products')
          .select(column)
          .orderBy(column)
          .offset(Math.floor(Number(count) / 2))
          .first()) as Record<string, string | number>
      )[column];
    return { createdAt: Number(await at('created_at')), price: Number(await at('price_paise')), name: String(await at('name')) };
  }

  /** The keyset ceiling's URL for the same listing (no search: the ceiling runs the plain keyset query). */
  static keysetPath(this: void, listing: Listing): string {
    const params = new URLSearchParams({ limit: String(PAGE_SIZE), sort: listing.sort, order: listing.order });
    if (listing.category) params.set('category', listing.category);
    params.set('value', String(listing.position!.value));
    params.set('id', String(listing.position!.id));
    return `/keyset?${params.toString()}`;
  }

  /** The plain Express reference's URL for the same listing: its cursor is unsigned base64url JSON. */
  static plainPath(this: void, listing: Listing): string {
    const params = new URLSearchParams({ limit: String(PAGE_SIZE), sort: listing.sort, order: listing.order });
    if (listing.category) params.set('category', listing.category);
    const { value, id } = listing.position!;
    params.set('cursor', Buffer.from(JSON.stringify({ v: value, id })).toString('base64url'));
    return `/api/products?${params.toString()}`;
  }

  /**
   * Disjoint pools of `size` listings each that all miss the cache: random sort, order and
   * category filter (none, or the product's own), each starting right after a different random
   * product (no product is used twice across the pools).
   */
  async randomListings(pools: number, size: number, seed: number): Promise<Listing[][]> {
    const random = seededRandom(seed);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
    const rows = await this.randomProducts(pools * size, random);
    const listings = rows.map((row): Listing => {
      const sort = pick(SORTS);
      return {
        sort,
        order: pick(ORDERS),
        category: random() < 0.5 ? String(row.category) : undefined,
        position: { value: sort === 'name' ? String(row.name) : Number(row[SORT_COLUMNS[sort]]), id: Number(row.id) },
      };
    });
    return Array.from({ length: pools }, (_, i) => listings.slice(i * size, (i + 1) * size));
  }

  /** First pages of many listings: what a warm cache serves. */
  static hotListings(): Listing[] {
    return [undefined, ...CATEGORY_SLUGS.slice(0, 3)].flatMap((category) =>
      SORTS.flatMap((sort) => ORDERS.map((order) => ({ sort, order, category }))),
    );
  }

  /**
   * `count` distinct cursors that all land on the same page of the newest-first listing (page 1,
   * or page DEEP_PAGE): the position's value is that page's first product's, its id beyond every
   * id, so each request is a cache miss for exactly that page.
   */
  async newestFirstPage(page: number, count: number, q?: string): Promise<Listing[]> {
    const row = (await this.knex('products')
      .select('created_at')
      .where('deleted', 0)
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .offset((page - 1) * PAGE_SIZE)
      .first()) as { created_at: number } | undefined;
    if (!row) throw new Error(`the catalogue has no page ${page}`);
    return Array.from({ length: count }, (_, j) => ({
      sort: 'createdAt' as const,
      order: 'desc' as const,
      q,
      position: { value: Number(row.created_at), id: BEYOND_IDS + j },
    }));
  }

  private async randomProducts(count: number, random: () => number) {
    const { max } = (await this.knex('products').max({ max: 'id' }).first()) as { max: number };
    const ids = new Set<number>();
    while (ids.size < Math.min(count, max)) ids.add(1 + Math.floor(random() * max));
    const byId = new Map<number, Record<string, string | number>>();
    const all = [...ids];
    for (let i = 0; i < all.length; i += 5_000) {
      const rows = (await this.knex('products')
        .select('id', 'category', 'created_at', 'price_paise', 'name')
        .whereIn('id', all.slice(i, i + 5_000))) as Record<string, string | number>[];
      for (const row of rows) byId.set(Number(row.id), row);
    }
    return all.map((id) => byId.get(id)).filter((row) => row !== undefined);
  }
}
