import { randomBytes } from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { createClient } from 'redis';
import type { SingleRedisClient } from '../../src/adapters/redis/redis-client.js';
import { TEST_BACKENDS } from './backends.js';

/** Where the integration suites find MariaDB and Redis; override with TEST_MYSQL_URL / TEST_REDIS_URL. */
export const MYSQL_SERVER_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const HOW_TO_START_MARIADB = 'start it with: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd';
const HOW_TO_START_REDIS = 'start it with: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no';

export function uniqueName(prefix: string) {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

export interface TestDatabase {
  readonly name: string;
  /** DATABASE_URL for this database, for code that takes configuration. */
  readonly url: string;
  readonly knex: Knex;
  drop(): Promise<void>;
}

/** A fresh MariaDB database of this suite's own; drop() removes it and nothing else. */
export async function createTestDatabase(prefix = 'farmlokal_test'): Promise<TestDatabase> {
  if (!TEST_BACKENDS.has('mysql'))
    throw new Error("this suite needs MariaDB, but TEST_BACKENDS leaves out mysql: wrap it in describeWith(['mysql'], ...)");
  const name = uniqueName(prefix);
  const server = new URL(MYSQL_SERVER_URL);
  const connection = {
    host: server.hostname,
    port: Number(server.port || 3306),
    user: decodeURIComponent(server.username),
    password: decodeURIComponent(server.password),
  };
  const admin = knexFactory({ client: 'mysql2', connection, pool: { min: 0, max: 1 } });
  try {
    await admin.raw('CREATE DATABASE ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', [name]);
  } catch (error) {
    await admin.destroy();
    throw new Error(`MariaDB is not reachable at ${MYSQL_SERVER_URL} (${(error as Error).message}); ${HOW_TO_START_MARIADB}`, {
      cause: error,
    });
  }
  const knex = knexFactory({
    client: 'mysql2',
    connection: { ...connection, database: name, supportBigNumbers: true, bigNumberStrings: false },
    pool: { min: 0, max: 10 },
  });
  const url = `${MYSQL_SERVER_URL.replace(/\/$/, '')}/${name}`;
  return {
    name,
    url,
    knex,
    async drop() {
      await knex.destroy();
      await admin.raw('DROP DATABASE IF EXISTS ??', [name]);
      await admin.destroy();
    },
  };
}

export interface TestRedis {
  readonly client: SingleRedisClient;
  /** Key prefix owned by this suite; cleanup() deletes exactly the keys under it. */
  readonly prefix: string;
  cleanup(): Promise<void>;
}

export async function createTestRedis(prefix = 'test'): Promise<TestRedis> {
  if (!TEST_BACKENDS.has('redis'))
    throw new Error("this suite needs Redis, but TEST_BACKENDS leaves out redis: wrap it in describeWith(['redis'], ...)");
  const keyPrefix = `${uniqueName(prefix)}:`;
  const client = createClient({ url: REDIS_URL, socket: { connectTimeout: 2_000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`Redis is not reachable at ${REDIS_URL} (${(error as Error).message}); ${HOW_TO_START_REDIS}`, { cause: error });
  }
  return {
    client: client,
    prefix: keyPrefix,
    async cleanup() {
      for await (const keys of client.scanIterator({ MATCH: `${keyPrefix}*`, COUNT: 500 })) {
        if (keys.length > 0) await client.del(keys);
      }
      client.destroy();
    },
  };
}
