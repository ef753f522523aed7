import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

const MIGRATION_FILE = /^(?!.*\.d\.ts$).+\.(ts|js)$/;

/**
 * The migrations directory as Knex sees it, whether it holds the TypeScript sources (tsx) or their
 * compiled .js (dist/). Knex records each migration under the name its source reports and refuses
 * to go on ("the migration directory is corrupt") when a recorded name is missing, so a migration
 * is named after its source file, `x.ts`, in both forms; a database whose rows say `x.js` keeps
 * that name. One history, whichever form ran it.
 */
export class MigrationFiles implements Knex.MigrationSource<string> {
  constructor(
    private readonly directory: string,
    private readonly recordedNames: ReadonlySet<string>,
  ) {}

  async getMigrations(): Promise<string[]> {
    const files = (await readdir(this.directory)).filter((file) => MIGRATION_FILE.test(file));
    return files.sort((a, b) => stem(a).localeCompare(stem(b)));
  }

  getMigrationName(file: string): string {
    const compiledName = `${stem(file)}.js`;
    return this.recordedNames.has(compiledName) ? compiledName : `${stem(file)}.ts`;
  }

  async getMigration(file: string): Promise<Knex.Migration> {
    return (await import(pathToFileURL(join(this.directory, file)).href)) as Knex.Migration;
  }
}

function stem(file: string) {
  return file.replace(/\.(ts|js)$/, '');
}
