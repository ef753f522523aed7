import type { Knex } from 'knex';
import type { ProductDraft, ProductPage, ProductRepository } from '../../domain/ports/product-repository.js';
import type { Product } from '../../domain/product.js';
import type { ProductQuery } from '../../domain/product-query.js';
import { SingleFlightCache } from '../shared/single-flight-cache.js';
import { databaseCall } from './database-call.js';
import { isMysql } from './knex-dialect.js';
import type { Bulkhead } from '../shared/bulkhead.js';
import { requestScope } from '../shared/request-scope.js';
import { ProductPageReader, type AdmitSearch, type SearchLimits } from './product-page-reader.js';
import { prefixRange, type PageStatement } from './product-page-sql.js';
import { PRODUCT_COLUMNS, ProductRows, type ProductRow } from './product-rows.js';
import { driverQuery, type KnexDriverClient } from './knex-driver-call.js';

/**
 * Below this many term-index entries a search word is "rare": its products are fetched through the
 * term index and sorted, a complete page. Above it, the sort index is walked on a budget.
 */
export const RARE_TERM_LIMIT = 1_000;
/** The most products one search page examines on the sort index (see ProductPageReader). */
export const SCAN_BUDGET = 1_000;
/**
 * Below this many term-index entries (and from RARE_TERM_LIMIT) a word is "middling": its ids are
 * read into a set and the covering sort index is walked against it, up to WALK_BUDGET entries a page.
 */
export const MIDDLING_TERM_LIMIT = 12_000;
/** The most covering sort index entries one search page walks against a middling word's ids. */
export const WALK_BUDGET = 6_000;
/**
 * How long a word's term count is reused. The count only chooses between plans that return the
 * same rows (a word counted rare is read with the same limit and, grown common, scanned instead),
 * so an outdated one costs speed at worst, never a wrong page; and the words people search for
 * repeat, so counting each one once a minute spares most searches a query.
 */
export const TERM_COUNT_TTL_MS = 60_000;
const TERM_COUNT_WORDS = 10_000;
const WRITE_CHUNK = 500;

/** The products table as this repository reads it: a row and its deletion tombstone flag. */
type ProductTableRow = ProductRow & { deleted: number };

export class KnexProductRepository implements ProductRepository {
  private readonly termCounts: SingleFlightCache<number>;
  private readonly pages: ProductPageReader;

  constructor(
    private readonly knex: Knex,
    private readonly now: () => number = Date.now,
    limits: Partial<SearchLimits> = {},
    searches?: Bulkhead,
  ) {
    this.termCounts = new SingleFlightCache(TERM_COUNT_TTL_MS, TERM_COUNT_WORDS, now);
    const searchLimits = {
      rareTermLimit: RARE_TERM_LIMIT,
      scanBudget: SCAN_BUDGET,
      middlingTermLimit: MIDDLING_TERM_LIMIT,
      walkBudget: WALK_BUDGET,
      ...limits,
    };
    const countLimit = Math.max(searchLimits.rareTermLimit, searchLimits.middlingTermLimit);
    const countTerms = (word: string) => this.termCounts.get(word, () => this.termCount(word, countLimit));
    const admit: AdmitSearch | undefined = searches && ((plan) => searches.run(plan, requestScope.current()?.signal));
    this.pages = new ProductPageReader((statement) => this.runPageStatement(statement), countTerms, searchLimits, this.isMysql(), admit);
  }

  list(query: ProductQuery): Promise<ProductPage> {
    return databaseCall(() => this.pages.read(query));
  }

  findById(id: number): Promise<Product | null> {
    return databaseCall(async () => {
      const row = await this.knex<ProductTableRow>('products')
        .select([...PRODUCT_COLUMNS])
        .where({ id, deleted: 0 })
        .first();
      return row ? ProductRows.toProduct(row) : null;
    });
  }

  async upsert(drafts: readonly ProductDraft[]): Promise<number> {
    if (drafts.length === 0) return 0;
    return databaseCall(() =>
      this.knex.transaction(async (trx) => {
        let changed = 0;
        for (let i = 0; i < drafts.length; i += WRITE_CHUNK) {
          changed += await this.upsertChunk(trx, drafts.slice(i, i + WRITE_CHUNK));
        }
        return changed;
      }),
    );
  }

  private async upsertChunk(trx: Knex.Transaction, drafts: readonly ProductDraft[]) {
    const skus = drafts.map((d) => d.sku);
    const versionsBefore = await this.versionsBySku(trx, skus);
    const now = this.now();
    const insert = trx('products').insert(drafts.map((d) => ProductRows.fromDraft(d, now)));
    await (this.isMysql()
      ? trx.raw(`? ${MYSQL_NEWER_VERSION_WINS}`, [insert])
      : insert.onConflict('sku').merge(MERGED_COLUMNS).where('products.version', '<', trx.raw('excluded.version')));

    const ids = await trx<ProductRow>('products').select('id', 'sku', 'version').whereIn('sku', skus);
    const idBySku = new Map(ids.map((r) => [r.sku, { id: Number(r.id), version: Number(r.version) }]));
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
    const rows = await trx<ProductRow>('products').select('sku', 'version').whereIn('sku', skus);
    return new Map(rows.map((r) => [r.sku, Number(r.version)]));
  }

  private async runPageStatement<Row>({ sql, bindings }: PageStatement): Promise<Row[]> {
    if (this.isMysql()) return await this.mysqlQuery<Row>(sql, bindings);
    // On SQLite, Knex resolves a raw statement to the driver's rows: the statement's caller names their shape.
    const rows: unknown = await this.knex.raw(sql, bindings);
    return rows as Row[];
  }

  private async termCount(word: string, limit: number): Promise<number> {
    const [low, high] = prefixRange(word);
    const sample = this.knex('product_terms').select('product_id').where('term', '>=', low).andWhere('term', '<', high).limit(limit);
    const row = await this.knex.count<Record<string, string>, { n: number | string }[]>({ n: '*' }).from(sample.as('sample')).first();
    return Number(row?.n ?? 0);
  }

  /** Runs one statement on a connection from Knex's own pool, straight through the driver (see driverQuery). */
  private async mysqlQuery<Row>(sql: string, bindings: readonly (string | number)[]): Promise<Row[]> {
    const client = this.knex.client as KnexDriverClient;
    const connection = await client.acquireConnection();
    try {
      return (await driverQuery(client, connection, sql, bindings)) as Row[];
    } finally {
      await client.releaseConnection(connection);
    }
  }

  private isMysql() {
    return isMysql(this.knex);
  }
}

// A newer whole-product write also lifts a deletion tombstone (drafts never set `deleted`: it stays 0).
const MERGED_COLUMNS = ['name', 'description', 'category', 'price_paise', 'stock', 'updated_at', 'deleted', 'version'];

// MySQL evaluates assignments left to right, so version is compared first and assigned last.
const MYSQL_NEWER_VERSION_WINS = `ON DUPLICATE KEY UPDATE ${MERGED_COLUMNS.map(
  (c) => `${c} = IF(VALUES(version) > version, VALUES(${c}), ${c})`,
).join(', ')}`;
