import type { Knex } from 'knex';

// Partner events (API B): every product keeps the version each of its parts was last written at,
// and a deletion leaves a tombstone row (deleted = 1) so a late, older event cannot bring it back.
// The inbox holds every event id received, unique, written in the transaction that applies it.
export async function up(knex: Knex): Promise<void> {
  const mysql = (knex.client as Knex.Client).config.client === 'mysql2';

  await knex.schema.alterTable('products', (t) => {
    t.boolean('deleted').notNullable().defaultTo(false);
    for (const part of ['content', 'price', 'stock', 'deleted']) {
      t.bigInteger(`${part}_version`).notNullable().defaultTo(0);
    }
  });

  await knex.schema.createTable('partner_event_inbox', (t) => {
    // Event ids compare as bytes: "evt_A" and "evt_a" are two events.
    const id = t.string('event_id', 191).notNullable().primary();
    if (mysql) id.collate('utf8mb4_bin');
    t.string('type', 100).notNullable();
    t.string('sku', 64).nullable();
    t.bigInteger('version').nullable();
    t.bigInteger('occurred_at').notNullable().comment('epoch milliseconds, UTC');
    t.bigInteger('received_at').notNullable().comment('epoch milliseconds, UTC');
    t.string('outcome', 16).notNullable();
    t.text('payload', 'mediumtext').notNullable();
    if (mysql) t.charset('utf8mb4');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('partner_event_inbox');
  await knex.schema.alterTable('products', (t) => {
    t.dropColumns('deleted', 'content_version', 'price_version', 'stock_version', 'deleted_version');
  });
}
