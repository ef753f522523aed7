import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { seededRandom } from '../src/infrastructure/seed/catalog-generator.js';

/** What the mixed scenario's writer may change, and the values it starts from. */
export interface WriteTarget {
  readonly id: number;
  readonly sku: string;
  readonly category: string;
  readonly createdAt: number;
  pricePaise: number;
  stock: number;
}

/** SKUs of the products the writer's upserts create, and the event ids it sends. */
export const BENCH_SKU_PREFIX = 'BENCH-';
export const BENCH_EVENT_PREFIX = 'evt_bench_';

// Every column a stock or price event can write, saved before the first event and written back after.
const RESTORED = [
  'id',
  'price_paise',
  'stock',
  'version',
  'price_version',
  'stock_version',
  'content_version',
  'deleted',
  'deleted_version',
  'updated_at',
] as const;

/**
 * The shared catalogue stays as seeded: the writer changes only a fixed sample of products, whose
 * rows are saved to a file first and written back by `restore` (also at the start of the next run,
 * should this one die before it), creates only BENCH- products, and sends only evt_bench_ event ids;
 * `restore` deletes both.
 */
export class WriteTargets {
  private constructor(
    private readonly knex: Knex,
    private readonly file: string,
    readonly targets: WriteTarget[],
  ) {}

  /** Where the rows of the database at `databaseUrl` are saved while the writer runs. */
  static snapshotFile(databaseUrl: string): string {
    const name = new URL(databaseUrl).pathname.slice(1).replace(/[^\w-]/g, '_');
    return join(tmpdir(), `farmlokal-bench-restore-${name}.json`);
  }

  /** Puts back what an earlier run that died left behind, if anything. */
  static async restoreLeftovers(knex: Knex, file: string): Promise<boolean> {
    if (!existsSync(file)) return false;
    await new WriteTargets(knex, file, []).restore();
    return true;
  }

  /** Chooses `count` live products at random (seeded) and saves their rows before anything is written. */
  static async choose(knex: Knex, file: string, count: number, seed: number): Promise<WriteTargets> {
    const random = seededRandom(seed);
    const { max } = (await knex('products').max({ max: 'id' }).first()) as { max: number };
    const ids = new Set<number>();
    while (ids.size < Math.min(count * 2, max)) ids.add(1 + Math.floor(random() * max));
    const rows = (await knex('products')
      .select('id', 'sku', 'category', 'created_at', ...RESTORED.filter((c) => c !== 'id'))
      .whereIn('id', [...ids])
      .andWhere('deleted', 0)
      .andWhereNot('sku', 'like', `${BENCH_SKU_PREFIX}%`)
      .limit(count)) as Record<string, string | number>[];
    writeFileSync(file, JSON.stringify(rows.map((row) => Object.fromEntries(RESTORED.map((c) => [c, row[c]])))));
    const targets = rows.map((row) => ({
      id: Number(row.id),
      sku: String(row.sku),
      category: String(row.category),
      createdAt: Number(row.created_at),
      pricePaise: Number(row.price_paise),
      stock: Number(row.stock),
    }));
    return new WriteTargets(knex, file, targets);
  }

  /** The highest version any part of a target carries: the writer's versions start above it. */
  async highestVersion(): Promise<number> {
    const [row] = await this.knex('products')
      .whereIn(
        'id',
        this.targets.map((t) => t.id),
      )
      .select<{ v: number }[]>(
        this.knex.raw('MAX(GREATEST(version, price_version, stock_version, content_version, deleted_version)) AS v'),
      );
    return Number(row?.v ?? 0);
  }

  /** Writes the saved rows back, deletes BENCH- products, their search terms and the bench's inbox rows. */
  async restore(): Promise<void> {
    const rows = existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, number>[]) : [];
    await this.knex.transaction(async (trx) => {
      for (const { id, ...values } of rows) await trx('products').where('id', id).update(values);
      const created = trx('products').select('id').where('sku', 'like', `${BENCH_SKU_PREFIX}%`);
      await trx('product_terms').whereIn('product_id', created).delete();
      await trx('products').where('sku', 'like', `${BENCH_SKU_PREFIX}%`).delete();
      await trx('partner_event_inbox')
        .where('event_id', 'like', `${BENCH_EVENT_PREFIX.replaceAll('_', '\\_')}%`)
        .delete();
    });
    rmSync(this.file, { force: true });
  }
}
