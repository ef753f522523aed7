import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { searchTerms } from '../../src/domain/search-terms.js';
import { createKnex } from '../../src/infrastructure/create-knex.js';
import { migrateLatest } from '../../src/infrastructure/migrate.js';
import { CatalogNotEmptyError } from '../../src/infrastructure/seed/catalog-not-empty-error.js';
import { COMMON_WORD, RARE_WORD } from '../../src/infrastructure/seed/catalog-generator.js';
import { seedCatalog } from '../../src/infrastructure/seed/seed-catalog.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';
import { describeWith } from '../support/backends.js';

const COUNT = 3_000;

async function catalogue(knex: Knex) {
  const products = await knex('products').select('id', 'sku', 'name', 'description', 'category', 'price_paise', 'created_at').orderBy('id');
  const [{ n: terms }] = await knex('product_terms').count({ n: '*' });
  return { products, terms: Number(terms) };
}

describeWith(['mysql'], 'seedCatalog on MariaDB', function () {
  // A hang guard, not a speed target (that is npm run bench): the seeded counts are fixed.
  this.timeout(300_000);
  let database: TestDatabase;
  let indexesAfterMigration: unknown;
  let columnsAfterMigration: unknown;

  const indexes = async () =>
    (
      await database.knex.raw(
        `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME, COLLATION FROM information_schema.STATISTICS
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('products', 'product_terms') ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
      )
    )[0];
  // Collations included: sku and name compare as bytes, and the swapped-in tables must too.
  const columns = async () =>
    (
      await database.knex.raw(
        `SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLLATION_NAME FROM information_schema.COLUMNS
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('products', 'product_terms') ORDER BY TABLE_NAME, ORDINAL_POSITION`,
      )
    )[0];

  before(async () => {
    database = await createTestDatabase('farmlokal_seed');
    await migrateLatest(database.knex);
    indexesAfterMigration = await indexes();
    columnsAfterMigration = await columns();
  });

  after(async () => {
    await database?.drop();
  });

  it("seeding, when the catalogue is empty, writes every product with its search terms and the migration's exact columns and indexes", async () => {
    await seedCatalog(database.knex, { count: COUNT, seed: 5, reset: false });
    const { products, terms } = await catalogue(database.knex);
    expect(products).to.have.length(COUNT);
    expect(products.map((p) => p.id)).to.deep.equal(Array.from({ length: COUNT }, (_, i) => i + 1));
    const expectedTerms = products.reduce((n, p) => n + searchTerms(`${p.name} ${p.description}`).length, 0);
    expect(terms).to.equal(expectedTerms);
    expect(await indexes()).to.deep.equal(indexesAfterMigration);
    expect(await columns()).to.deep.equal(columnsAfterMigration);
    const [tables] = await database.knex.raw("SHOW TABLES LIKE '%\\_\\_%'");
    expect(tables, 'staging tables left behind').to.deep.equal([]);
  });

  it('seeding, when products are already there and no reset is asked for, refuses and changes nothing', async () => {
    const before = await catalogue(database.knex);
    await expect(seedCatalog(database.knex, { count: 10, seed: 6, reset: false })).to.be.rejectedWith(CatalogNotEmptyError, /--reset/);
    expect(await catalogue(database.knex)).to.deep.equal(before);
  });

  it('seeding with reset, when given the same seed twice, writes the same catalogue, and another seed a different one', async () => {
    const first = await catalogue(database.knex);
    await seedCatalog(database.knex, { count: COUNT, seed: 5, reset: true });
    expect(await catalogue(database.knex)).to.deep.equal(first);
    await seedCatalog(database.knex, { count: COUNT, seed: 6, reset: true });
    const other = await catalogue(database.knex);
    expect(other.products).to.have.length(COUNT);
    expect(other.products).to.not.deep.equal(first.products);
    expect(await indexes()).to.deep.equal(indexesAfterMigration);
  });
});

describeWith(['sqlite'], 'seedCatalog on SQLite', () => {
  it('seeding, when the catalogue is empty, writes every product and terms and keeps the indexes', async () => {
    const knex = await createKnex({ SQLITE_FILE: ':memory:' });
    try {
      await migrateLatest(knex);
      const indexSql = () => knex('sqlite_master').select('name', 'sql').where('type', 'index').orderBy('name');
      const before = await indexSql();
      await seedCatalog(knex, { count: 2_000, seed: 5, reset: false });
      const { products, terms } = await catalogue(knex);
      expect(products).to.have.length(2_000);
      expect(terms).to.be.greaterThan(2_000 * 5);
      expect(await indexSql()).to.deep.equal(before);
      await expect(seedCatalog(knex, { count: 10, seed: 5, reset: false })).to.be.rejectedWith(CatalogNotEmptyError);
    } finally {
      await knex.destroy();
    }
  });
});

describeWith(['sqlite'], 'The generated catalogue', function () {
  // A hang guard, not a speed target: 100,000 products are seeded whatever the machine's load.
  this.timeout(300_000);

  it('the benchmark words, when 100,000 products are seeded, are in about 85% of products and in one product per 100,000', async () => {
    const knex = await createKnex({ SQLITE_FILE: ':memory:' });
    try {
      await migrateLatest(knex);
      await seedCatalog(knex, { count: 100_000, seed: 1, reset: false });
      const count = async (word: string) => Number((await knex('product_terms').where('term', word).count({ n: '*' }))[0].n);
      expect(await count(COMMON_WORD)).to.be.within(80_000, 90_000);
      expect(await count(RARE_WORD)).to.equal(1);
      const [{ n: tiedPrices }] = await knex.raw(
        'SELECT COUNT(*) AS n FROM (SELECT price_paise FROM products GROUP BY price_paise HAVING COUNT(*) > 1) AS t',
      );
      expect(Number(tiedPrices)).to.be.greaterThan(100);
    } finally {
      await knex.destroy();
    }
  });
});

describeWith(['mysql'], 'npm run seed', function () {
  // A hang guard, not a speed target: the seeded counts are fixed.
  this.timeout(300_000);
  let directory: string;

  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'farmlokal-seed-'));
  });

  after(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  const seed = (...args: string[]) => seedWith({ DATABASE_URL: '', SQLITE_FILE: join(directory, 'catalogue.sqlite') }, ...args);

  async function seedWith(env: Record<string, string>, ...args: string[]) {
    const child = spawn('npm', ['run', '--silent', 'seed', '--', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const [code] = (await once(child, 'exit')) as [number];
    return { code, stdout, stderr };
  }

  it('the command, when run twice without --reset, seeds the first time and refuses the second with exit code 1', async () => {
    const first = await seed('--count', '500', '--seed', '3');
    expect(first, first.stderr).to.include({ code: 0 });
    expect(first.stdout).to.match(/seeded 500 products \(seed 3\) into SQLite/);
    const second = await seed('--count', '500');
    expect(second.code).to.equal(1);
    expect(second.stderr).to.match(/already holds 500 product\(s\).*--reset/s);
    const reset = await seed('--count', '200', '--reset');
    expect(reset, reset.stderr).to.include({ code: 0 });
  });

  it('the command, on MariaDB with DATABASE_POOL_SIZE=1, still loads products and terms side by side on two connections', async () => {
    const database = await createTestDatabase('farmlokal_seed_cli');
    try {
      const result = await seedWith({ DATABASE_URL: database.url, DATABASE_POOL_SIZE: '1' }, '--count', '300');
      expect(result, result.stderr).to.include({ code: 0 });
      expect(result.stdout).to.match(/seeded 300 products \(seed 1\) into MariaDB/);
      const [{ n }] = await database.knex('products').count({ n: '*' });
      expect(Number(n)).to.equal(300);
    } finally {
      await database.drop();
    }
  });

  it('the command, when --count is missing or not a whole number, explains the usage and exits 1', async () => {
    const result = await seed('--count', 'many');
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/--count: must be a whole number/);
    expect(result.stderr).to.match(/usage: npm run seed -- --count N/);
  });
});
