import { InMemoryProductEventStore } from '../../src/adapters/in-memory/in-memory-product-event-store.js';
import { InMemoryProductRepository } from '../../src/adapters/in-memory/in-memory-product-repository.js';
import { KnexProductEventStore } from '../../src/adapters/persistence/knex-product-event-store.js';
import { KnexProductRepository } from '../../src/adapters/persistence/knex-product-repository.js';
import knexFactory from 'knex';
import { createKnex, knexConfig } from '../../src/infrastructure/create-knex.js';
import { migrateLatest } from '../../src/infrastructure/migrate.js';
import { createTestDatabase } from '../support/services.js';
import { describeProductEventStoreContract } from './product-event-store.contract.js';
import { onlyWith } from '../support/backends.js';

describeProductEventStoreContract('in-memory', async () => {
  const products = new InMemoryProductRepository();
  return { store: new InMemoryProductEventStore(products), products, cleanup: async () => undefined };
});

describeProductEventStoreContract('SQLite', async () => {
  const knex = await createKnex({ SQLITE_FILE: ':memory:' });
  await migrateLatest(knex);
  return { store: new KnexProductEventStore(knex), products: new KnexProductRepository(knex), cleanup: () => knex.destroy() };
});

onlyWith(['mysql'], describeProductEventStoreContract)('MariaDB, statement batches (the write pool)', async () => {
  const database = await createTestDatabase();
  await migrateLatest(database.knex);
  const batches = { min: 0, max: 10, acquireTimeoutMs: 2_000, statementTimeoutMs: 0, multipleStatements: true };
  const knex = knexFactory(knexConfig({ DATABASE_URL: database.url, SQLITE_FILE: '' }, batches));
  return {
    store: new KnexProductEventStore(knex),
    products: new KnexProductRepository(database.knex),
    cleanup: async () => {
      await knex.destroy();
      await database.drop();
    },
  };
});

onlyWith(['mysql'], describeProductEventStoreContract)('MariaDB, one statement per call (a Knex transaction)', async () => {
  const database = await createTestDatabase();
  await migrateLatest(database.knex);
  return {
    store: new KnexProductEventStore(database.knex),
    products: new KnexProductRepository(database.knex),
    cleanup: () => database.drop(),
  };
});
