import type { Knex } from 'knex';
import type { CatalogBatch } from './catalog-batches.js';

const TABLES = ['products', 'product_terms'];
// SQLite allows 32,766 bound values per statement; this keeps every insert well below that.
const VALUES_PER_INSERT = 30_000;

/**
 * Writes the catalogue into SQLite in one transaction: the secondary indexes are dropped first and
 * recreated from their own stored definitions at the end (SQLite DDL is transactional, so a failed
 * seed leaves the schema and the data exactly as they were).
 */
export async function loadCatalogIntoSqlite(
  knex: Knex,
  batches: Iterable<CatalogBatch>,
  onBatch: (products: number) => void,
): Promise<void> {
  await knex.transaction(async (trx) => {
    const indexes = (await trx('sqlite_master')
      .select('name', 'sql')
      .where('type', 'index')
      .whereIn('tbl_name', TABLES)
      .whereNotNull('sql')) as { name: string; sql: string }[];
    for (const index of indexes) await trx.raw('DROP INDEX ??', [index.name]);
    for (const batch of batches) {
      await insertAll(trx, 'products', batch.products);
      await insertAll(trx, 'product_terms', batch.terms);
      onBatch(batch.products.length);
    }
    for (const index of indexes) await trx.raw(index.sql);
  });
}

/** Multi-row VALUES inserts (Knex's own SQLite batch insert is a UNION ALL capped at 500 rows). */
async function insertAll(trx: Knex.Transaction, table: string, rows: readonly object[]) {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  const perInsert = Math.floor(VALUES_PER_INSERT / columns.length);
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  for (let i = 0; i < rows.length; i += perInsert) {
    const chunk = rows.slice(i, i + perInsert) as Record<string, unknown>[];
    const values = chunk.flatMap((row) => columns.map((column) => row[column]));
    const sql = `INSERT INTO ?? (${columns.map(() => '??').join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')}`;
    await trx.raw(sql, [table, ...columns, ...values] as Knex.RawBinding[]);
  }
}
