import { InMemoryProductRepository } from '../../src/adapters/in-memory/in-memory-product-repository.js';
import { KnexProductRepository } from '../../src/adapters/persistence/knex-product-repository.js';
import { createKnex } from '../../src/infrastructure/create-knex.js';
import { migrateLatest } from '../../src/infrastructure/migrate.js';
import { createTestDatabase } from '../support/services.js';
import { describeProductRepositoryContract } from './product-repository.contract.js';

describeProductRepositoryContract('in-memory', async () => ({
  repository: new InMemoryProductRepository(),
  cleanup: async () => undefined,
}));

describeProductRepositoryContract('SQLite', async () => {
  const knex = await createKnex({ SQLITE_FILE: ':memory:' });
  await migrateLatest(knex);
  return { repository: new KnexProductRepository(knex), cleanup: () => knex.destroy() };
});

describeProductRepositoryContract('MariaDB', async () => {
  const database = await createTestDatabase();
  await migrateLatest(database.knex);
  return { repository: new KnexProductRepository(database.knex), cleanup: () => database.drop() };
});
