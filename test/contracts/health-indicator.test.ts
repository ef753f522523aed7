import knexFactory from 'knex';
import { createClient } from 'redis';
import { AlwaysUpHealthIndicator } from '../../src/adapters/in-memory/always-up-health-indicator.js';
import { KnexHealthIndicator } from '../../src/adapters/persistence/knex-health-indicator.js';
import { RedisHealthIndicator } from '../../src/adapters/redis/redis-health-indicator.js';
import { createKnex } from '../../src/infrastructure/create-knex.js';
import { createTestDatabase, createTestRedis } from '../support/services.js';
import { describeHealthIndicatorContract } from './health-indicator.contract.js';
import { onlyWith } from '../support/backends.js';

const NOTHING_LISTENS = 1; // tcpmux: nothing runs there, connections are refused at once

describeHealthIndicatorContract('in-process', async () => ({
  indicator: new AlwaysUpHealthIndicator('cache (in-process)'),
  cleanup: async () => undefined,
}));

describeHealthIndicatorContract('SQLite', async () => {
  const knex = await createKnex({ SQLITE_FILE: ':memory:' });
  return { indicator: new KnexHealthIndicator(knex), cleanup: () => knex.destroy() };
});

onlyWith(['mysql'], describeHealthIndicatorContract)(
  'MariaDB',
  async () => {
    const database = await createTestDatabase();
    return { indicator: new KnexHealthIndicator(database.knex), cleanup: () => database.drop() };
  },
  async () => {
    const knex = knexFactory({
      client: 'mysql2',
      connection: { host: '127.0.0.1', port: NOTHING_LISTENS, user: 'root', connectTimeout: 500 },
      acquireConnectionTimeout: 1_000,
    });
    return { indicator: new KnexHealthIndicator(knex), cleanup: () => knex.destroy() };
  },
);

onlyWith(['redis'], describeHealthIndicatorContract)(
  'Redis',
  async () => {
    const redis = await createTestRedis('health');
    return { indicator: new RedisHealthIndicator(redis.client), cleanup: () => redis.cleanup() };
  },
  async () => {
    const client = createClient({
      url: `redis://127.0.0.1:${NOTHING_LISTENS}`,
      disableOfflineQueue: true,
      socket: { reconnectStrategy: false },
    });
    client.on('error', () => undefined);
    await client.connect().catch(() => undefined);
    return { indicator: new RedisHealthIndicator(client), cleanup: async () => undefined };
  },
);
