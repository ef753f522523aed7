import type { Knex } from 'knex';

// SKUs compare as bytes on every store: "ABC-1" and "abc-1" are two products. SQLite and the
// in-memory repository always did; on MySQL/MariaDB the columns had the table's case-insensitive
// default collation, so the unique index made the two collide. utf8mb4_bin still ignores trailing
// spaces (PAD SPACE); no SKU the partner sends has any. MODIFY keeps the unique index.
const COLUMNS = [
  { table: 'products', nullability: 'NOT NULL' },
  // Only a record of what each event named, but it holds SKUs and should read them the same way.
  { table: 'partner_event_inbox', nullability: 'NULL' },
];

export async function up(knex: Knex): Promise<void> {
  if ((knex.client as Knex.Client).config.client !== 'mysql2') return;
  for (const { table, nullability } of COLUMNS) {
    await knex.raw(`ALTER TABLE ?? MODIFY ?? VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin ${nullability}`, [table, 'sku']);
  }
}

// Back to the table's default character set and collation, as the earlier migrations created them.
// Fails on products, before anything changes, once SKUs differing only in case have been stored.
export async function down(knex: Knex): Promise<void> {
  if ((knex.client as Knex.Client).config.client !== 'mysql2') return;
  for (const { table, nullability } of COLUMNS) {
    await knex.raw(`ALTER TABLE ?? MODIFY ?? VARCHAR(64) ${nullability}`, [table, 'sku']);
  }
}
