import type { Knex } from 'knex';
import type { ProductDraft, ProductPage, ProductRepository } from '../../domain/ports/product-repository.js';
import type { Product } from '../../domain/product.js';
import type { ProductQuery, SortField } from '../../domain/product-query.js';
import { databaseCall } from './database-call.js';
import { PRODUCT_COLUMNS, ProductRows, type ProductRow } from './product-rows.js';

const SORT_COLUMNS: Record<SortField, string> = {
  createdAt: 'created_at',
  price: 'price_paise',
  name: 'name',
};

/** The migration's (category, sort value, id) indexes. */
const CATEGORY_SORT_INDEXES: Record<SortField, string> = {
  createdAt: 'products_category_created_at_id',
  price: 'products_category_price_id',
  name: 'products_category_name_id',
};

/**
 * Below this many matching terms a search word is "rare": its products are fetched through the
 * term index and sorted. Above it, walking the sort index and checking each row finds a page sooner.
 */
export const RARE_TERM_LIMIT = 2_000;
const WRITE_CHUNK = 500;

interface SearchPlan {
  readonly driving?: string;
  readonly words: readonly string[];
}

export class KnexProductRepository implements ProductRepository {
  constructor(
    private readonly knex: Knex,
    private readonly now: () => number = Date.now,
  ) {}

  list(query: ProductQuery): Promise<ProductPage> {
    return databaseCall(async () => {
      const plan = query.words.length > 0 ? await this.searchPlan(query.words) : undefined;
      const rows: ProductRow[] = await this.pageQuery(query, plan);
      return {
        items: rows.slice(0, query.limit).map(ProductRows.toProduct),
        hasMore: rows.length > query.limit,
      };
    });
  }

  findById(id: number): Promise<Product | null> {
    return databaseCall(async () => {
      const row: ProductRow | undefined = await this.knex('products').select([...PRODUCT_COLUMNS]).where({ id, deleted: 0 }).first();
      return row ? ProductRows.toProduct(row) : null;
    });
  }

  async upsert(drafts: readonly ProductDraft[]): Promise<number> {
    if (drafts.length === 0) return 0;
    return databaseCall(() => this.knex.transaction(async (trx) => {
      let changed = 0;
      for (let i = 0; i < drafts.length; i += WRITE_CHUNK) {
        changed += await this.upsertChunk(trx, drafts.slice(i, i + WRITE_CHUNK));
      }
      return changed;
    }));
  }

  private async upsertChunk(trx: Knex.Transaction, drafts: readonly ProductDraft[]) {
    const skus = drafts.map((d) => d.sku);
    const versionsBefore = await this.versionsBySku(trx, skus);
    const now = this.now();
    const insert = trx('products').insert(drafts.map((d) => ProductRows.fromDraft(d, now)));
    await (this.isMysql() ? trx.raw(`? ${MYSQL_NEWER_VERSION_WINS}`, [insert]) : insert
      .onConflict('sku')
      .merge(MERGED_COLUMNS)
      .where('products.version', '<', trx.raw('excluded.version')));

    const ids = await trx('products').select('id', 'sku', 'version').whereIn('sku', skus);
    const idBySku = new Map(ids.map((r) => [r.sku as string, { id: Number(r.id), version: Number(r.version) }]));
    const applied = drafts.filter((d) => {
      const stored = idBySku.get(d.sku);
      const before = versionsBefore.get(d.sku);
      return stored?.version === d.version && (before === undefined || before < d.version);
    });
    if (applied.length === 0) return 0;
    const appliedIds = applied.map((d) => idBySku.get(d.sku)!.id);
    await trx('product_terms').whereIn('product_id', appliedIds).delete();
    const terms = applied.flatMap((d) => ProductRows.terms(idBySku.get(d.sku)!.id, d));
    for (let i = 0; i < terms.length; i += WRITE_CHUNK) {
      await trx('product_terms').insert(terms.slice(i, i + WRITE_CHUNK));
    }
    return applied.length;
  }

  private async versionsBySku(trx: Knex.Transaction, skus: readonly string[]) {
    const rows = await trx('products').select('sku', 'version').whereIn('sku', skus);
    return new Map(rows.map((r) => [r.sku as string, Number(r.version)]));
  }

  private pageQuery(query: ProductQuery, plan: SearchPlan | undefined): Knex.QueryBuilder {
    if (query.categories.length <= 1) return this.branch(query, query.categories[0], plan);
    // One index range per category, merged: cheaper than sorting the union of their rows.
    const branches = query.categories.map((category, i) =>
      this.knex.select('*').from(this.branch(query, category, plan).as(`c${i}`)),
    );
    const [first, ...rest] = branches;
    return this.ordered(this.knex.select('*').from(first!.unionAll(rest, false).as('merged')), query);
  }

  private branch(query: ProductQuery, category: string | undefined, plan: SearchPlan | undefined) {
    const column = SORT_COLUMNS[query.sort];
    const builder = this.knex<ProductRow>(this.productsFor(query, category, plan)).select(PRODUCT_COLUMNS.map((c) => `products.${c}`));
    builder.where('products.deleted', 0);
    if (category !== undefined) builder.where('category', category);
    if (query.minPricePaise !== undefined) builder.where('price_paise', '>=', query.minPricePaise);
    if (query.maxPricePaise !== undefined) builder.where('price_paise', '<=', query.maxPricePaise);
    if (query.after) {
      const { value, id } = query.after;
      const [strict, loose] = query.order === 'asc' ? ['>', '>='] : ['<', '<='];
      // The loose bound alone is an index range; the disjunction then skips the tie group's seen rows.
      builder.where(column, loose, value).andWhere((b) => b.where(column, strict, value).orWhere('products.id', strict, id));
    }
    if (plan) this.applySearch(builder, plan);
    return this.ordered(builder, query);
  }

  /**
   * In a category, MariaDB prefers a ref on the category alone to the range on (category, sort
   * value) when both look alike in size: it then reads from the category's first row and filters
   * its way to the cursor, thousands of rows deep (~0.6 s at a million products). Forcing the
   * category's sort index makes it seek to the cursor. Not when a rare word drives the query.
   */
  private productsFor(query: ProductQuery, category: string | undefined, plan: SearchPlan | undefined) {
    if (category === undefined || plan?.driving !== undefined || !this.isMysql()) return 'products';
    return this.knex.raw('?? FORCE INDEX (??)', ['products', CATEGORY_SORT_INDEXES[query.sort]]);
  }

  private applySearch(builder: Knex.QueryBuilder, plan: SearchPlan) {
    for (const word of plan.words) {
      const [low, high] = prefixRange(word);
      const terms = (alias: string) =>
        this.knex(`product_terms as ${alias}`).where(`${alias}.term`, '>=', low).andWhere(`${alias}.term`, '<', high);
      if (word === plan.driving) {
        builder.whereIn('products.id', terms('d').select('d.product_id'));
      } else {
        // A scalar subquery, not EXISTS: MariaDB turns EXISTS into a semi-join and may materialise
        // every product id having a common word (~2 s at a million products) before the first row.
        const check = terms('t').select(this.knex.raw('1')).whereRaw('t.product_id = products.id').limit(1);
        builder.whereRaw('(?) IS NOT NULL', [check]);
      }
    }
  }

  private ordered(builder: Knex.QueryBuilder, query: ProductQuery) {
    return builder
      .orderBy([{ column: SORT_COLUMNS[query.sort], order: query.order }, { column: 'id', order: query.order }])
      .limit(query.limit + 1);
  }

  /** Drives the query from the rarest word when one is rare enough; otherwise from the sort index. */
  private async searchPlan(words: readonly string[]): Promise<SearchPlan> {
    const counts = await Promise.all(words.map((w) => this.termCount(w)));
    const rarest = counts.indexOf(Math.min(...counts));
    return { words, driving: counts[rarest]! < RARE_TERM_LIMIT ? words[rarest] : undefined };
  }

  private async termCount(word: string): Promise<number> {
    const [low, high] = prefixRange(word);
    const sample = this.knex('product_terms').select('product_id').where('term', '>=', low).andWhere('term', '<', high).limit(RARE_TERM_LIMIT);
    const row = await this.knex.count({ n: '*' }).from(sample.as('sample')).first();
    return Number(row?.n ?? 0);
  }

  private isMysql() {
    return this.knex.client.config.client === 'mysql2';
  }
}

// A newer whole-product write also lifts a deletion tombstone (drafts never set `deleted`: it stays 0).
const MERGED_COLUMNS = ['name', 'description', 'category', 'price_paise', 'stock', 'updated_at', 'deleted', 'version'];

// MySQL evaluates assignments left to right, so version is compared first and assigned last.
const MYSQL_NEWER_VERSION_WINS = `ON DUPLICATE KEY UPDATE ${MERGED_COLUMNS.map(
  (c) => `${c} = IF(VALUES(version) > version, VALUES(${c}), ${c})`,
).join(', ')}`;

/** [word, next string after every string starting with word) in code point order. */
function prefixRange(word: string): [string, string] {
  const chars = [...word];
  const last = chars.pop()!;
  return [word, chars.join('') + String.fromCodePoint(last.codePointAt(0)! + 1)];
}
