import type { Knex } from 'knex';

// Progress of resumable imports (catalog:sync): one row per import, replaced after every batch.
export async function up(knex: Knex): Promise<void> {
  const mysql = (knex.client as Knex.Client).config.client === 'mysql2';
  await knex.schema.createTable('sync_checkpoints', (t) => {
    t.string('name', 64).notNullable().primary();
    t.string('cursor', 1024).nullable();
    t.integer('pages').notNullable();
    t.bigInteger('items').notNullable();
    t.boolean('completed').notNullable();
    t.bigInteger('updated_at').notNullable().comment('epoch milliseconds, UTC');
    if (mysql) t.charset('utf8mb4');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sync_checkpoints');
}
