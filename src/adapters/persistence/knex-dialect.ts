import type { Knex } from 'knex';

/**
 * True on MySQL/MariaDB (the mysql2 driver), false on SQLite. Knex types `knex.client` as `any`;
 * its runtime value is a Knex.Client, whose `config` is the configuration Knex was built with.
 */
export function isMysql(knex: Knex): boolean {
  return (knex.client as Knex.Client).config.client === 'mysql2';
}
