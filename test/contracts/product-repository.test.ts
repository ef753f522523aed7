import { InMemoryProductRepository } from '../../src/adapters/in-memory/in-memory-product-repository.js';
import { KnexProductRepository } from '../../src/adapters/persistence/knex-product-repository.js';
import { createKnex } from '../../src/infrastructure/create-knex.js';
import { migrateLatest } from '../../src/infrastructure/migrate.js';
import { createTestDatabase } from '../support/services.js';
import { describeProductRepositoryContract } from './product-repository.contract.js';
import { onlyWith } from '../support/backends.js';

// Low enough that the fixture's words are common and its searches run out of budget mid-listing.
// No word is middling (middlingTermLimit = rareTermLimit): common words walk the sort index on the scan budget.
const SMALL_LIMITS = { rareTermLimit: 5, scanBudget: 30, middlingTermLimit: 5, walkBudget: 30 };
// The fixture's words are middling: read as id sets, the sort index walked against them (60 entries
// a page); the scan budget alone (15 products a page for one word) could not fill the pages.
const MIDDLING_LIMITS = { rareTermLimit: 5, scanBudget: 30, middlingTermLimit: 10_000, walkBudget: 60 };

describeProductRepositoryContract('in-memory', async () => ({
  repository: new InMemoryProductRepository(),
  cleanup: async () => undefined,
}));

describeProductRepositoryContract(
  'in-memory, small scan budget',
  async () => ({
    repository: new InMemoryProductRepository(Date.now, SMALL_LIMITS.scanBudget),
    cleanup: async () => undefined,
  }),
  SMALL_LIMITS,
);

describeProductRepositoryContract('SQLite', async () => {
  const knex = await createKnex({ SQLITE_FILE: ':memory:' });
  await migrateLatest(knex);
  return { repository: new KnexProductRepository(knex), cleanup: () => knex.destroy() };
});

describeProductRepositoryContract(
  'SQLite, small search limits',
  async () => {
    const knex = await createKnex({ SQLITE_FILE: ':memory:' });
    await migrateLatest(knex);
    return { repository: new KnexProductRepository(knex, Date.now, SMALL_LIMITS), cleanup: () => knex.destroy() };
  },
  SMALL_LIMITS,
);

describeProductRepositoryContract('SQLite, middling words', async () => {
  const knex = await createKnex({ SQLITE_FILE: ':memory:' });
  await migrateLatest(knex);
  return { repository: new KnexProductRepository(knex, Date.now, MIDDLING_LIMITS), cleanup: () => knex.destroy() };
});

onlyWith(['mysql'], describeProductRepositoryContract)('MariaDB, middling words', async () => {
  const database = await createTestDatabase();
  await migrateLatest(database.knex);
  return { repository: new KnexProductRepository(database.knex, Date.now, MIDDLING_LIMITS), cleanup: () => database.drop() };
});

onlyWith(['mysql'], describeProductRepositoryContract)('MariaDB', async () => {
  const database = await createTestDatabase();
  await migrateLatest(database.knex);
  return { repository: new KnexProductRepository(database.knex), cleanup: () => database.drop() };
});

onlyWith(['mysql'], describeProductRepositoryContract)(
  'MariaDB, small search limits',
  async () => {
    const database = await createTestDatabase();
    await migrateLatest(database.knex);
    return { repository: new KnexProductRepository(database.knex, Date.now, SMALL_LIMITS), cleanup: () => database.drop() };
  },
  SMALL_LIMITS,
);
