import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Knex } from 'knex';
import type { CatalogBatch } from './catalog-batches.js';

const STREAM_BUFFER_BYTES = 4 * 1024 * 1024;
const TERM_COLUMNS = ['term', 'product_id'];

export interface MysqlLoadOptions {
  /** Table names to load products and their search terms into. */
  readonly products: string;
  readonly terms: string;
  readonly onBatch: (products: number) => void;
  /** Runs as soon as that table's load is complete, while the other one may still be loading. */
  readonly afterLoad: (table: string) => Promise<void>;
}

/**
 * Streams the catalogue into MariaDB/MySQL with LOAD DATA LOCAL INFILE, products and terms on two
 * connections at once (one per table: a bulk load into an empty table holds the table lock). With
 * unique and foreign key checks off, InnoDB appends in primary key order with minimal undo.
 */
export async function loadCatalogIntoMysql(knex: Knex, batches: Iterable<CatalogBatch>, options: MysqlLoadOptions): Promise<void> {
  const iterator = batches[Symbol.iterator]();
  const first = iterator.next();
  if (first.done) return;
  const products = stream();
  const terms = stream();
  const loads = [
    loadData(knex, options.products, Object.keys(first.value.products[0]), products).then(() => options.afterLoad(options.products)),
    loadData(knex, options.terms, TERM_COLUMNS, terms).then(() => options.afterLoad(options.terms)),
  ];
  const feeding = feed(first.value, iterator, products, terms, options.onBatch);
  try {
    // A load that fails stops the feed; a feed that fails ends both loads with its error.
    await Promise.race([feeding, Promise.all(loads)]);
    await Promise.all([feeding, ...loads]);
  } catch (error) {
    for (const s of [products, terms]) s.destroy(error as Error);
    await Promise.allSettled([feeding, ...loads]);
    throw error;
  }
}

function stream() {
  return new PassThrough({ highWaterMark: STREAM_BUFFER_BYTES });
}

async function feed(
  first: CatalogBatch,
  rest: Iterator<CatalogBatch>,
  products: PassThrough,
  terms: PassThrough,
  onBatch: (products: number) => void,
) {
  const columns = Object.keys(first.products[0]);
  for (let batch: CatalogBatch | undefined = first; batch;) {
    await Promise.all([write(products, tsv(batch.products, columns)), write(terms, tsv(batch.terms, TERM_COLUMNS))]);
    onBatch(batch.products.length);
    const next = rest.next();
    batch = next.done ? undefined : next.value;
  }
  products.end();
  terms.end();
}

function write(target: PassThrough, chunk: string): Promise<unknown> | undefined {
  if (target.destroyed) throw new Error('the load stopped before the catalogue was written');
  return target.write(chunk) ? undefined : once(target, 'drain');
}

async function loadData(knex: Knex, table: string, columns: readonly string[], stream: PassThrough): Promise<void> {
  const sql =
    'SET STATEMENT unique_checks = 0, foreign_key_checks = 0 FOR ' +
    `LOAD DATA LOCAL INFILE 'catalog.tsv' INTO TABLE ?? CHARACTER SET utf8mb4 (${columns.map(() => '??').join(', ')})`;
  await knex.raw(sql, [table, ...columns]).options({ infileStreamFactory: () => stream });
}

const SPECIAL = /[\\\t\n]/;
const SPECIAL_ALL = /[\\\t\n]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n' };

/** LOAD DATA's default format: tab-separated, newline-terminated, backslash escapes. */
function tsv(rows: readonly object[], columns: readonly string[]): string {
  let out = '';
  for (const row of rows) {
    const record = row as Record<string, string | number | boolean>;
    for (let i = 0; i < columns.length; i += 1) {
      const raw = record[columns[i]];
      const value = typeof raw === 'boolean' ? (raw ? '1' : '0') : String(raw);
      out += (i === 0 ? '' : '\t') + (SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c]) : value);
    }
    out += '\n';
  }
  return out;
}
