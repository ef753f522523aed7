import type { Product } from './product.js';
import type { ProductQuery } from './product-query.js';

/**
 * What a cached catalogue response depends on (surrogate keys, as a CDN purges by), and what a
 * write changes: a write invalidates exactly the tags its change can affect.
 *
 * - `p:<sku>`: the product itself, shown on its detail page and on every listing page it is on.
 * - `members:<scope>`: which products a listing scope holds and in which order they come, for any
 *   sort but price; a scope is one category or `*` for every category.
 * - `order-price:<scope>`: the price order and the price filters of a scope.
 *
 * Tags contain no `,`, `|` or whitespace (categories are percent-encoded), so adapters may join them.
 */
export type CatalogTag = string;

const ALL_CATEGORIES = '*';

/** The state of a product that decides which responses show it and where. */
export interface ProductFacts {
  readonly sku: string;
  readonly name: string;
  readonly description: string;
  readonly category: string;
  readonly pricePaise: number;
  readonly stock: number;
  /** On sale: listed and found. */
  readonly live: boolean;
}

/** One product write as it was applied: the product before (null: never seen) and after. */
export interface ProductWrite {
  readonly before: ProductFacts | null;
  readonly after: ProductFacts;
}

export function productTag(sku: string): CatalogTag {
  return `p:${sku}`;
}

const members = (scope: string) => `members:${scope}`;
const priceOrder = (scope: string) => `order-price:${scope}`;
const scopeOf = (category: string) => encodeURIComponent(category.toLowerCase());

/** A detail page depends on its product only. */
export function detailTags(product: Pick<Product, 'sku'>): CatalogTag[] {
  return [productTag(product.sku)];
}

/**
 * A listing page depends on every product it shows, on the membership of each scope it reads (so a
 * product entering or leaving, or moving in name or creation order, reaches it), and on the price
 * order of those scopes when it sorts or filters by price.
 */
export function listingTags(query: ProductQuery, items: readonly Pick<Product, 'sku'>[]): CatalogTag[] {
  const scopes = query.categories.length === 0 ? [ALL_CATEGORIES] : query.categories.map(scopeOf);
  const byPrice = query.sort === 'price' || query.minPricePaise !== undefined || query.maxPricePaise !== undefined;
  const tags = items.map((item) => productTag(item.sku));
  for (const scope of scopes) {
    tags.push(members(scope));
    if (byPrice) tags.push(priceOrder(scope));
  }
  return [...new Set(tags)];
}

/**
 * The tags a write invalidates: always its product; the price order of its categories when the
 * price moved; the membership of its categories (old and new) and of `*` when it entered or left a
 * listing, or changed what listings match or order by (category, name, description). A stock
 * change therefore reaches only the pages that show the product.
 */
export function writeTags({ before, after }: ProductWrite): CatalogTag[] {
  const tags = new Set<CatalogTag>([productTag(after.sku)]);
  const scopes = [...new Set([ALL_CATEGORIES, ...[before?.category, after.category].filter(isString).map(scopeOf)])];
  const listed = before !== null && before.live;
  const membershipMoved =
    listed !== after.live ||
    (after.live && (before!.category !== after.category || before!.name !== after.name || before!.description !== after.description));
  const priceMoved = (listed || after.live) && (before === null || before.pricePaise !== after.pricePaise);
  for (const scope of scopes) {
    if (membershipMoved) tags.add(members(scope));
    if (priceMoved) tags.add(priceOrder(scope));
  }
  return [...tags];
}

/**
 * Tags for writes whose previous state is unknown (a catalogue sync batch): each product as if it
 * were new, with a changed price. A product that left another category is still reached on every
 * page that shows it, through its own tag.
 */
export function blindWriteTags(products: readonly Pick<ProductFacts, 'sku' | 'category'>[]): CatalogTag[] {
  const tags = new Set<CatalogTag>();
  for (const product of products) {
    const facts = { ...product, name: '', description: '', pricePaise: 0, stock: 0, live: true };
    for (const tag of writeTags({ before: null, after: facts })) tags.add(tag);
  }
  return [...tags];
}

function isString(value: string | undefined): value is string {
  return value !== undefined;
}
