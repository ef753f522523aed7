import type { Knex } from 'knex';
import { MIGRATIONS_DIRECTORY } from './create-knex.js';

/** Applies pending migrations; Knex's migration lock makes concurrent callers safe. */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({
    directory: MIGRATIONS_DIRECTORY,
    loadExtensions: ['.ts', '.js'],
  })) as [number, string[]];
  return applied;
}
