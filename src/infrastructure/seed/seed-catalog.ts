import type { Knex } from 'knex';
import { isMysql } from '../../adapters/persistence/knex-dialect.js';
import { catalogBatches } from './catalog-batches.js';
import { CatalogNotEmptyError } from './catalog-not-empty-error.js';
import { loadCatalogIntoMysql } from './mysql-catalog-loader.js';
import { MysqlStagingTables } from './mysql-staging-tables.js';
import { loadCatalogIntoSqlite } from './sqlite-catalog-loader.js';

export type SeedPhase = 'loading' | 'indexing' | 'analysing';

export interface SeedCatalogOptions {
  readonly count: number;
  readonly seed: number;
  /** Empty products and product_terms first; without it a non-empty catalogue is refused. */
  readonly reset: boolean;
  readonly onPhase?: (phase: SeedPhase) => void;
  readonly onProgress?: (productsWritten: number) => void;
}

const BATCH_SIZE = 5_000;

/**
 * Fills products and product_terms with `count` generated products, the same ones for the same
 * seed. Expects a migrated database. MariaDB/MySQL loads into staging copies without secondary
 * indexes and swaps them in; SQLite loads in one transaction.
 */
export async function seedCatalog(knex: Knex, options: SeedCatalogOptions): Promise<void> {
  if (!options.reset && !(await isEmpty(knex))) {
    throw new CatalogNotEmptyError(Number((await knex('products').count({ n: '*' }).first())?.n ?? 0));
  }
  let written = 0;
  const onBatch = (products: number) => {
    written += products;
    options.onProgress?.(written);
  };
  const batches = catalogBatches(options.count, options.seed, BATCH_SIZE);
  options.onPhase?.('loading');
  if (!isMysql(knex)) {
    if (options.reset) await Promise.all([knex('product_terms').truncate(), knex('products').truncate()]);
    await loadCatalogIntoSqlite(knex, batches, onBatch);
    return;
  }
  const staging = new MysqlStagingTables(knex, ['products', 'product_terms']);
  try {
    if (options.reset) await Promise.all([knex('product_terms').truncate(), knex('products').truncate()]);
    await staging.create();
    await loadCatalogIntoMysql(knex, batches, {
      products: staging.staged('products'),
      terms: staging.staged('product_terms'),
      onBatch: (products) => {
        onBatch(products);
        if (written === options.count) options.onPhase?.('indexing');
      },
      afterLoad: (table) => staging.restoreIndexes(table),
    });
    options.onPhase?.('analysing');
    await knex.raw(
      `ANALYZE TABLE ${staging.tables.map(() => '??').join(', ')}`,
      staging.tables.map((t) => staging.staged(t)),
    );
    await staging.swap();
  } finally {
    await staging.dropLeftovers();
  }
}

async function isEmpty(knex: Knex): Promise<boolean> {
  const found = await Promise.all(['products', 'product_terms'].map((table) => knex(table).first(knex.raw('1 AS found'))));
  return found.every((row) => row === undefined);
}
