import type { Knex } from 'knex';
import { MIGRATIONS_DIRECTORY } from './create-knex.js';
import { MigrationFiles } from './migration-files.js';

const MIGRATIONS_TABLE = 'knex_migrations';

/**
 * Applies pending migrations, from the TypeScript sources or from dist/ alike (see MigrationFiles);
 * Knex's migration lock makes concurrent callers safe.
 */
export async function migrateLatest(knex: Knex, directory = MIGRATIONS_DIRECTORY): Promise<string[]> {
  const recorded = (await knex.schema.hasTable(MIGRATIONS_TABLE)) ? ((await knex(MIGRATIONS_TABLE).pluck('name')) as string[]) : [];
  const [, applied] = (await knex.migrate.latest({
    migrationSource: new MigrationFiles(directory, new Set(recorded)),
    tableName: MIGRATIONS_TABLE,
  })) as [number, string[]];
  return applied;
}
