import type { Knex } from 'knex';

interface IndexColumn {
  readonly name: string;
  readonly unique: boolean;
  readonly column: string;
  readonly prefix: number | null;
  readonly descending: boolean;
}

const STAGING_SUFFIX = '__seeding';
const REPLACED_SUFFIX = '__replaced';

/**
 * Copies of live tables to bulk-load into: created LIKE the live table (so with exactly the
 * migration's columns and indexes), stripped of their secondary indexes for the load, given them
 * back from the captured definitions afterwards, then swapped in with one atomic RENAME. A seed that
 * dies half-way leaves the live tables as they were; the next run drops the leftovers.
 */
export class MysqlStagingTables {
  private readonly indexes = new Map<string, IndexColumn[]>();

  constructor(
    private readonly knex: Knex,
    readonly tables: readonly string[],
  ) {}

  staged(table: string) {
    return `${table}${STAGING_SUFFIX}`;
  }

  async create(): Promise<void> {
    await this.dropLeftovers();
    for (const table of this.tables) {
      await this.knex.raw('CREATE TABLE ?? LIKE ??', [this.staged(table), table]);
      const columns = await this.secondaryIndexes(this.staged(table));
      this.indexes.set(table, columns);
      const names = [...new Set(columns.map((c) => c.name))];
      if (names.length > 0) {
        await this.knex.raw(`ALTER TABLE ?? ${names.map(() => 'DROP INDEX ??').join(', ')}`, [this.staged(table), ...names]);
      }
    }
  }

  /** Gives a staged table (by its staged name) back its secondary indexes, built in one sorted pass. */
  async restoreIndexes(stagedTable: string): Promise<void> {
    const table = this.tables.find((t) => this.staged(t) === stagedTable);
    if (table === undefined) throw new Error(`${stagedTable} is not a staged table`);
    await this.restoreIndexesOf(table);
  }

  /** Puts the staged tables in place of the live ones in one atomic step, then drops the old ones. */
  async swap(): Promise<void> {
    const renames = this.tables.flatMap((t) => [
      [t, `${t}${REPLACED_SUFFIX}`],
      [this.staged(t), t],
    ]);
    await this.knex.raw(`RENAME TABLE ${renames.map(() => '?? TO ??').join(', ')}`, renames.flat());
    await this.knex.raw(
      `DROP TABLE ${this.tables.map(() => '??').join(', ')}`,
      this.tables.map((t) => `${t}${REPLACED_SUFFIX}`),
    );
  }

  async dropLeftovers(): Promise<void> {
    const leftovers = this.tables.flatMap((t) => [this.staged(t), `${t}${REPLACED_SUFFIX}`]);
    await this.knex.raw(`DROP TABLE IF EXISTS ${leftovers.map(() => '??').join(', ')}`, leftovers);
  }

  private async restoreIndexesOf(table: string) {
    const byName = new Map<string, IndexColumn[]>();
    for (const column of this.indexes.get(table) ?? []) byName.set(column.name, [...(byName.get(column.name) ?? []), column]);
    if (byName.size === 0) return;
    const bindings: string[] = [this.staged(table)];
    const clauses = [...byName].map(([name, columns]) => {
      bindings.push(name, ...columns.map((c) => c.column));
      const parts = columns.map((c) => `??${c.prefix === null ? '' : `(${Number(c.prefix)})`}${c.descending ? ' DESC' : ''}`);
      return `ADD ${columns[0].unique ? 'UNIQUE ' : ''}INDEX ?? (${parts.join(', ')})`;
    });
    await this.knex.raw(`ALTER TABLE ?? ${clauses.join(', ')}`, bindings);
  }

  private async secondaryIndexes(table: string): Promise<IndexColumn[]> {
    const rows = (await this.knex('information_schema.STATISTICS')
      .select('INDEX_NAME', 'NON_UNIQUE', 'COLUMN_NAME', 'SUB_PART', 'COLLATION', 'INDEX_TYPE')
      .whereRaw('TABLE_SCHEMA = DATABASE()')
      .andWhere('TABLE_NAME', table)
      .andWhereNot('INDEX_NAME', 'PRIMARY')
      .orderBy([{ column: 'INDEX_NAME' }, { column: 'SEQ_IN_INDEX' }])) as Record<string, string | number | null>[];
    const unsupported = rows.find((r) => r.INDEX_TYPE !== 'BTREE');
    if (unsupported)
      throw new Error(`cannot bulk-load ${table}: index ${String(unsupported.INDEX_NAME)} is ${String(unsupported.INDEX_TYPE)}, not BTREE`);
    return rows.map((r) => ({
      name: String(r.INDEX_NAME),
      unique: Number(r.NON_UNIQUE) === 0,
      column: String(r.COLUMN_NAME),
      prefix: r.SUB_PART === null ? null : Number(r.SUB_PART),
      descending: r.COLLATION === 'D',
    }));
  }
}
