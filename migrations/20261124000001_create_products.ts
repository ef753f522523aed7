import type { Knex } from 'knex';

// Every supported sort, alone and after an equality filter on category, is one index range with
// the id as tie-breaker. Names and terms compare as bytes so that every store orders them alike.
export async function up(knex: Knex): Promise<void> {
  const mysql = (knex.client as Knex.Client).config.client === 'mysql2';
  const binary = (column: Knex.ColumnBuilder) => (mysql ? column.collate('utf8mb4_bin') : column);

  await knex.schema.createTable('products', (t) => {
    t.increments('id').primary();
    t.string('sku', 64).notNullable().unique('products_sku_unique');
    binary(t.string('name', 200).notNullable());
    t.string('description', 1000).notNullable();
    t.string('category', 64).notNullable();
    t.bigInteger('price_paise').notNullable();
    t.string('currency', 3).notNullable().defaultTo('INR');
    t.integer('stock').notNullable();
    t.bigInteger('version').notNullable().defaultTo(1);
    t.bigInteger('created_at').notNullable().comment('epoch milliseconds, UTC');
    t.bigInteger('updated_at').notNullable().comment('epoch milliseconds, UTC');
    t.index(['created_at', 'id'], 'products_created_at_id');
    t.index(['price_paise', 'id'], 'products_price_id');
    t.index(['name', 'id'], 'products_name_id');
    t.index(['category', 'created_at', 'id'], 'products_category_created_at_id');
    t.index(['category', 'price_paise', 'id'], 'products_category_price_id');
    t.index(['category', 'name', 'id'], 'products_category_name_id');
    if (mysql) t.charset('utf8mb4');
  });

  await knex.schema.createTable('product_terms', (t) => {
    binary(t.string('term', 32).notNullable());
    t.integer('product_id').unsigned().notNullable();
    t.primary(['product_id', 'term']);
    t.index(['term', 'product_id'], 'product_terms_term_product');
    if (mysql) t.charset('utf8mb4');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('product_terms');
  await knex.schema.dropTable('products');
}
