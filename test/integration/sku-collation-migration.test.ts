import { expect } from 'chai';
import { KnexProductRepository } from '../../src/adapters/persistence/knex-product-repository.js';
import { MIGRATIONS_DIRECTORY } from '../../src/infrastructure/create-knex.js';
import { migrateLatest } from '../../src/infrastructure/migrate.js';
import { tiedProducts } from '../support/product-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';
import { describeWith } from '../support/backends.js';

const MIGRATION = { directory: MIGRATIONS_DIRECTORY, loadExtensions: ['.ts', '.js'], name: '20261124000800_sku_binary_collation.ts' };

describeWith(['mysql'], 'The sku collation migration on MariaDB', function () {
  this.timeout(60_000);
  let database: TestDatabase;

  const skuColumns = async () =>
    (await database
      .knex('information_schema.COLUMNS as c')
      .join('information_schema.TABLES as t', function () {
        this.on('t.TABLE_SCHEMA', 'c.TABLE_SCHEMA').andOn('t.TABLE_NAME', 'c.TABLE_NAME');
      })
      .select(
        'c.TABLE_NAME as table',
        'c.COLUMN_TYPE as type',
        'c.IS_NULLABLE as nullable',
        'c.COLLATION_NAME as collation',
        't.TABLE_COLLATION as tableDefault',
      )
      .whereRaw('c.TABLE_SCHEMA = DATABASE()')
      .andWhere('c.COLUMN_NAME', 'sku')
      .orderBy('c.TABLE_NAME')) as Array<Record<string, string>>;
  const skuIndexes = () =>
    database
      .knex('information_schema.STATISTICS')
      .select('INDEX_NAME as name', 'NON_UNIQUE as nonUnique')
      .whereRaw('TABLE_SCHEMA = DATABASE()')
      .andWhere({ TABLE_NAME: 'products', COLUMN_NAME: 'sku' });

  before(async () => {
    database = await createTestDatabase();
    await migrateLatest(database.knex);
  });

  after(() => database?.drop());

  it('up, when applied, makes every sku column utf8mb4_bin with its length and nullability, and keeps the unique index', async () => {
    expect((await skuColumns()).map(({ tableDefault: _, ...column }) => column)).to.deep.equal([
      { table: 'partner_event_inbox', type: 'varchar(64)', nullable: 'YES', collation: 'utf8mb4_bin' },
      { table: 'products', type: 'varchar(64)', nullable: 'NO', collation: 'utf8mb4_bin' },
    ]);
    expect(await skuIndexes()).to.deep.equal([{ name: 'products_sku_unique', nonUnique: 0 }]);
  });

  it('down, when rolled back, gives the columns their table default collation again; up re-applies it', async () => {
    await database.knex.migrate.down(MIGRATION);
    for (const column of await skuColumns()) {
      expect(column.collation, column.table).to.equal(column.tableDefault).and.not.equal('utf8mb4_bin');
    }
    expect(await skuIndexes()).to.deep.equal([{ name: 'products_sku_unique', nonUnique: 0 }]);
    await migrateLatest(database.knex);
    expect((await skuColumns()).map((c) => c.collation)).to.deep.equal(['utf8mb4_bin', 'utf8mb4_bin']);
  });

  it('down, when skus differing only in case are stored, fails and leaves products as they were', async () => {
    const [product] = tiedProducts(1, 'CASE');
    await new KnexProductRepository(database.knex).upsert([product, { ...product, sku: product.sku.toLowerCase() }]);
    await expect(database.knex.migrate.down(MIGRATION)).to.be.rejectedWith(/Duplicate entry/);
    expect((await skuColumns()).find((c) => c.table === 'products')).to.include({ collation: 'utf8mb4_bin' });
    expect(await database.knex('products').count({ n: '*' }).first()).to.deep.equal({ n: 2 });
  });
});
