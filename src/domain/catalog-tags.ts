import type { Product } from './product.js';
import type { KeysetPosition, ProductQuery } from './product-query.js';
import { searchTerms } from './search-terms.js';

/**
 * What a cached catalogue response depends on (surrogate keys, as a CDN purges by), and what a
 * write changes: a write invalidates exactly the tags its change can affect.
 *
 * A product leaving a page is always a change to a page that shows it, so `p:<sku>` covers every
 * removal. What else a page carries says where a product could ENTER it (a scope is one category,
 * or `*` for every category):
 * - `members:<scope>`: any change of membership (every listing carries it; written only by rare
 *   changes whose position is not worth computing: a product coming back, or moving in from
 *   another category).
 * - `created-head:<scope>`: the newest end of the creation order (newest-first first pages, and
 *   oldest-first last pages), where a created product appears.
 * - `price:<scope>:<bucket>`: a price band the page covers (its filter, and its stretch of the
 *   price order when sorted by price); bands are logarithmic, four per doubling.
 * - `q:<scope>:<prefix>`: searches whose longest word starts with this one or two characters
 *   (a product must match every word of a search, so one word is enough to watch).
 * - `order-name:<scope>`: name-ordered listings (name order follows the database's collation,
 *   which the domain does not know, so it is not divided).
 *
 * Tags contain no `,`, `|` or whitespace (free text is percent-encoded), so adapters may join them.
 */
export type CatalogTag = string;

const ALL_CATEGORIES = '*';
const PRICE_BUCKETS = 64;

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

const scopeOf = (category: string) => encodeURIComponent(category.toLowerCase());
const members = (scope: string) => `members:${scope}`;
const createdHead = (scope: string) => `created-head:${scope}`;
const priceBand = (scope: string, bucket: number) => `price:${scope}:${bucket}`;
const searchPrefix = (scope: string, prefix: string) => `q:${scope}:${encodeURIComponent(prefix)}`;
const nameOrder = (scope: string) => `order-name:${scope}`;

/** The price band of `pricePaise`: four per doubling from 1 rupee, everything below in the first, above in the last. */
export function priceBucket(pricePaise: number): number {
  if (!(pricePaise > 100)) return 0;
  if (pricePaise === Infinity) return PRICE_BUCKETS - 1;
  return Math.min(PRICE_BUCKETS - 1, Math.floor(4 * Math.log2(pricePaise / 100)));
}

/** A detail page depends on its product only. */
export function detailTags(product: Pick<Product, 'sku'>): CatalogTag[] {
  return [productTag(product.sku)];
}

/** A listing page as built: the query (with the position it started after), what it shows, where the next page starts. */
export interface ListedPage {
  readonly query: ProductQuery;
  readonly items: readonly Pick<Product, 'sku' | 'pricePaise'>[];
  readonly next: KeysetPosition | null;
}

/** What a listing page depends on: every product it shows, and where a product could enter it. */
export function listingTags({ query, items, next }: ListedPage): CatalogTag[] {
  const scopes = query.categories.length === 0 ? [ALL_CATEGORIES] : query.categories.map(scopeOf);
  const tags = items.map((item) => productTag(item.sku));
  const bands = priceBandsOf(query, next);
  const byPrice = query.sort === 'price' || query.minPricePaise !== undefined || query.maxPricePaise !== undefined;
  const longest = [...query.words].sort((a, b) => b.length - a.length)[0];
  const newestEnd = query.sort === 'createdAt' && (query.order === 'desc' ? query.after === undefined : next === null);
  for (const scope of scopes) {
    tags.push(members(scope));
    if (byPrice) for (let bucket = bands.from; bucket <= bands.to; bucket += 1) tags.push(priceBand(scope, bucket));
    if (longest !== undefined) tags.push(searchPrefix(scope, longest.slice(0, 2)));
    if (!byPrice && longest === undefined) {
      if (query.sort === 'name') tags.push(nameOrder(scope));
      else if (newestEnd) tags.push(createdHead(scope));
    }
  }
  return [...new Set(tags)];
}

/** The price buckets a page covers: its filter, narrowed to its stretch of the order when sorted by price. */
function priceBandsOf(query: ProductQuery, next: KeysetPosition | null) {
  let low = query.minPricePaise ?? -Infinity;
  let high = query.maxPricePaise ?? Infinity;
  if (query.sort === 'price') {
    const ascending = query.order === 'asc';
    const start = typeof query.after?.value === 'number' ? query.after.value : ascending ? -Infinity : Infinity;
    const end = typeof next?.value === 'number' ? next.value : ascending ? Infinity : -Infinity;
    low = Math.max(low, ascending ? start : end);
    high = Math.min(high, ascending ? end : start);
  }
  return { from: priceBucket(low), to: low > high ? -1 : priceBucket(high) };
}

/**
 * The tags a write invalidates: its product (every page it leaves or changes on), and where it can
 * enter a page: a created product at the newest end, in its price band, in name order and in
 * searches for its words; a changed price in its new band; a new name or description in name
 * order and searches; a product coming back or moving in from another category, anywhere. A
 * stock change therefore reaches only the pages that show the product.
 */
export function writeTags({ before, after }: ProductWrite): CatalogTag[] {
  const tags = new Set<CatalogTag>([productTag(after.sku)]);
  if (!after.live) return [...tags];
  const scopes = [ALL_CATEGORIES, scopeOf(after.category)];
  const created = before === null;
  const revived = before !== null && !before.live;
  const movedIn = before !== null && before.live && before.category !== after.category;
  const renamed = created || before.name !== after.name;
  const described = renamed || before.description !== after.description;
  const repriced = created || before.pricePaise !== after.pricePaise;
  const prefixes = described ? searchPrefixes(after) : [];
  for (const scope of scopes) {
    if (revived || (movedIn && scope !== ALL_CATEGORIES)) tags.add(members(scope));
    if (created) tags.add(createdHead(scope));
    if (repriced) tags.add(priceBand(scope, priceBucket(after.pricePaise)));
    if (renamed) tags.add(nameOrder(scope));
    for (const prefix of prefixes) tags.add(searchPrefix(scope, prefix));
  }
  return [...tags];
}

/**
 * Tags for writes whose previous state is unknown (a catalogue sync batch): each product as if it
 * came back from elsewhere (membership of its category and of `*`). A product that left another
 * category is still reached on every page that shows it, through its own tag.
 */
export function blindWriteTags(products: readonly Pick<ProductFacts, 'sku' | 'category'>[]): CatalogTag[] {
  const tags = new Set<CatalogTag>([members(ALL_CATEGORIES)]);
  for (const product of products) {
    tags.add(productTag(product.sku));
    tags.add(members(scopeOf(product.category)));
  }
  return [...tags];
}

/** The one- and two-character beginnings of every search term of the product. */
function searchPrefixes(product: ProductFacts): string[] {
  const prefixes = new Set<string>();
  for (const term of searchTerms(`${product.name} ${product.description}`)) {
    prefixes.add(term.slice(0, 1));
    prefixes.add(term.slice(0, 2));
  }
  return [...prefixes];
}
