import type { ProductDraft, ProductPage, ProductRepository } from '../../domain/ports/product-repository.js';
import { CURRENCY, type Product } from '../../domain/product.js';
import { sortValueOf, type KeysetPosition, type ProductQuery } from '../../domain/product-query.js';
import { searchTerms } from '../../domain/search-terms.js';

interface Indexed {
  readonly product: Product;
  readonly terms: readonly string[];
  /** A tombstone (or a product known only in part) kept by InMemoryProductEventStore: not listed, not found. */
  readonly deleted?: boolean;
}

export interface StoredProduct {
  readonly product: Product;
  readonly deleted: boolean;
}

/** Products in process memory; correct for one instance, lost on restart. */
export class InMemoryProductRepository implements ProductRepository {
  private readonly byId = new Map<number, Indexed>();
  private readonly idBySku = new Map<string, number>();
  private nextId = 1;

  /**
   * @param scanBudget the most product reads a search page spends, as KnexProductRepository's
   * sort index walk does (a product and each of its word checks is one read, so a page examines
   * scanBudget / (1 + words) products): a page may then end early, at the last product examined.
   * Unbounded by default (memory holds every product anyway); tests lower it for short pages.
   */
  constructor(
    private readonly now: () => number = Date.now,
    private readonly scanBudget = Number.POSITIVE_INFINITY,
  ) {}

  async list(query: ProductQuery): Promise<ProductPage> {
    const direction = query.order === 'asc' ? 1 : -1;
    const key = (p: Product) => sortValueOf(p, query.sort);
    const position = (p: Product): KeysetPosition => ({ value: key(p), id: p.id });
    const compare = (a: Product, b: Product) => direction * (compareValues(key(a), key(b)) || a.id - b.id);
    const ordered = [...this.byId.values()]
      .filter((entry) => !entry.deleted && inSortRange(entry.product, query))
      .filter(({ product: p }) => !query.after || direction * (compareValues(key(p), query.after.value) || p.id - query.after.id) > 0)
      .sort((a, b) => compare(a.product, b.product));
    const budgeted =
      query.words.length > 0 || (query.sort !== 'price' && (query.minPricePaise !== undefined || query.maxPricePaise !== undefined));
    const examined = budgeted ? ordered.slice(0, Math.max(1, Math.floor(this.scanBudget / (1 + query.words.length)))) : ordered;
    const matches = examined.filter((entry) => matchesFilters(entry, query)).map((entry) => entry.product);
    const items = matches.slice(0, query.limit);
    if (matches.length > query.limit) return { items, next: position(items.at(-1)!) };
    if (examined.length < ordered.length) return { items, next: position(examined.at(-1)!.product) };
    return { items, next: null };
  }

  async findById(id: number): Promise<Product | null> {
    const entry = this.byId.get(id);
    return entry && !entry.deleted ? entry.product : null;
  }

  async upsert(drafts: readonly ProductDraft[]): Promise<number> {
    let changed = 0;
    for (const draft of drafts) {
      const id = this.idBySku.get(draft.sku);
      const existing = id === undefined ? undefined : this.byId.get(id)?.product;
      if (existing && existing.version >= draft.version) continue;
      const now = new Date(this.now());
      const product: Product = {
        id: existing?.id ?? this.nextId++,
        sku: draft.sku,
        name: draft.name,
        description: draft.description,
        category: draft.category,
        pricePaise: draft.pricePaise,
        currency: CURRENCY,
        stock: draft.stock,
        version: draft.version,
        createdAt: existing?.createdAt ?? draft.createdAt ?? now,
        updatedAt: draft.updatedAt ?? now,
      };
      this.byId.set(product.id, { product, terms: searchTerms(`${product.name} ${product.description}`) });
      this.idBySku.set(product.sku, product.id);
      changed += 1;
    }
    return changed;
  }

  /** The product stored for `sku`, deleted or not; for InMemoryProductEventStore, which shares this store. */
  storedBySku(sku: string): StoredProduct | null {
    const id = this.idBySku.get(sku);
    const entry = id === undefined ? undefined : this.byId.get(id);
    return entry ? { product: entry.product, deleted: entry.deleted ?? false } : null;
  }

  /** Stores `fields` as given, without a version check, keeping id and createdAt; for InMemoryProductEventStore. */
  replace(fields: Omit<ProductDraft, 'createdAt' | 'updatedAt'>, deleted: boolean): void {
    const id = this.idBySku.get(fields.sku);
    const existing = id === undefined ? undefined : this.byId.get(id)?.product;
    const now = new Date(this.now());
    const { sku, name, description, category, pricePaise, stock, version } = fields;
    const product: Product = {
      id: existing?.id ?? this.nextId++,
      sku,
      name,
      description,
      category,
      pricePaise,
      currency: CURRENCY,
      stock,
      version,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    this.byId.set(product.id, { product, terms: searchTerms(`${name} ${description}`), deleted });
    this.idBySku.set(sku, product.id);
  }
}

/** What a sort index range selects without reading the product: its categories, and its prices on the price sort. */
function inSortRange(product: Product, query: ProductQuery) {
  if (query.categories.length > 0 && !query.categories.includes(product.category)) return false;
  if (query.sort !== 'price') return true;
  return (
    (query.minPricePaise === undefined || product.pricePaise >= query.minPricePaise) &&
    (query.maxPricePaise === undefined || product.pricePaise <= query.maxPricePaise)
  );
}

function matchesFilters({ product, terms }: Indexed, query: ProductQuery) {
  if (query.minPricePaise !== undefined && product.pricePaise < query.minPricePaise) return false;
  if (query.maxPricePaise !== undefined && product.pricePaise > query.maxPricePaise) return false;
  return query.words.every((word) => terms.some((term) => term.startsWith(word)));
}

/** Binary order, the same as the SQL adapters (utf8mb4_bin in MySQL, BINARY in SQLite). */
function compareValues(a: number | string, b: number | string) {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
