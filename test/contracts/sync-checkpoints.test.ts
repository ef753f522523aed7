import { InMemorySyncCheckpoints } from '../../src/adapters/in-memory/in-memory-sync-checkpoints.js';
import { KnexSyncCheckpoints } from '../../src/adapters/persistence/knex-sync-checkpoints.js';
import { createKnex } from '../../src/infrastructure/create-knex.js';
import { migrateLatest } from '../../src/infrastructure/migrate.js';
import { createTestDatabase } from '../support/services.js';
import { describeSyncCheckpointsContract } from './sync-checkpoints.contract.js';
import { onlyWith } from '../support/backends.js';

describeSyncCheckpointsContract('in-memory', async () => ({
  checkpoints: new InMemorySyncCheckpoints(),
  cleanup: async () => undefined,
}));

describeSyncCheckpointsContract('SQLite', async () => {
  const knex = await createKnex({ SQLITE_FILE: ':memory:' });
  await migrateLatest(knex);
  return { checkpoints: new KnexSyncCheckpoints(knex), cleanup: () => knex.destroy() };
});

onlyWith(['mysql'], describeSyncCheckpointsContract)('MariaDB', async () => {
  const database = await createTestDatabase();
  await migrateLatest(database.knex);
  return { checkpoints: new KnexSyncCheckpoints(database.knex), cleanup: () => database.drop() };
});
