import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import { DEFAULT_DATABASE_POOL_SIZE, type Config } from './load-config.js';

export const MIGRATIONS_DIRECTORY = fileURLToPath(new URL('../../migrations', import.meta.url));

type DatabaseSettings = Pick<Config, 'DATABASE_URL' | 'SQLITE_FILE'> & Partial<Pick<Config, 'DATABASE_POOL_SIZE'>>;

/** One MySQL pool's shape; without one, a pool of DATABASE_POOL_SIZE and no statement limit (CLIs). */
export interface PoolSettings {
  readonly min: number;
  readonly max: number;
  /** How long a caller waits for a connection before the acquire fails. */
  readonly acquireTimeoutMs: number;
  /** The session's max_statement_time; 0: none. */
  readonly statementTimeoutMs: number;
  /**
   * Lets one call carry several statements (`a; b; c`), each still answered: the event store applies
   * a webhook in two round trips instead of six. Only for pools whose every statement binds its
   * values (`?`), since a value pasted into SQL could then smuggle in a statement of its own.
   */
  readonly multipleStatements?: boolean;
}

export function knexConfig(config: DatabaseSettings, poolSettings?: PoolSettings): Knex.Config {
  const migrations = { directory: MIGRATIONS_DIRECTORY, loadExtensions: ['.ts', '.js'] };
  if (!config.DATABASE_URL) {
    return {
      client: 'better-sqlite3',
      connection: { filename: config.SQLITE_FILE },
      useNullAsDefault: true,
      migrations,
    };
  }
  const url = new URL(config.DATABASE_URL);
  const poolSize = config.DATABASE_POOL_SIZE ?? DEFAULT_DATABASE_POOL_SIZE;
  const pool = poolSettings ?? { min: Math.min(2, poolSize), max: poolSize, acquireTimeoutMs: 2_000, statementTimeoutMs: 0 };
  return {
    client: 'mysql2',
    connection: {
      host: url.hostname,
      port: Number(url.port || 3306),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: databaseName(config.DATABASE_URL),
      supportBigNumbers: true,
      bigNumberStrings: false,
      connectTimeout: 2_000,
      ...(pool.multipleStatements ? { multipleStatements: true } : {}),
    },
    pool: {
      min: pool.min,
      max: pool.max,
      ...(pool.statementTimeoutMs > 0 ? { afterCreate: limitStatementTime(pool.statementTimeoutMs) } : {}),
    },
    acquireConnectionTimeout: pool.acquireTimeoutMs,
    // A shed request (pool full) is answered and counted; Knex's stack trace per shed is noise.
    log: { warn: (message: string) => (String(message).startsWith('Acquire connection error') ? undefined : console.warn(message)) },
    migrations,
  };
}

type SessionConnection = { query(sql: string, callback: (error: (Error & { errno?: number }) | null) => void): void };

/**
 * Every statement of the session is stopped by the server past `ms`: MariaDB's max_statement_time
 * (seconds, any statement), else MySQL's max_execution_time (milliseconds, SELECTs only).
 */
function limitStatementTime(ms: number) {
  return (connection: SessionConnection, done: (error: Error | null, connection: SessionConnection) => void) => {
    connection.query(`SET SESSION max_statement_time = ${ms / 1000}`, (error) => {
      if (error?.errno !== UNKNOWN_SYSTEM_VARIABLE) return done(error, connection);
      connection.query(`SET SESSION max_execution_time = ${ms}`, (fallbackError) => done(fallbackError, connection));
    });
  };
}

const UNKNOWN_SYSTEM_VARIABLE = 1193;

/** Opens the configured database, creating the MySQL schema or the SQLite file when missing. */
export async function createKnex(config: DatabaseSettings, poolSettings?: PoolSettings): Promise<Knex> {
  const settings = knexConfig(config, poolSettings);
  if (config.DATABASE_URL) {
    await ensureMysqlDatabase(settings);
  } else if (config.SQLITE_FILE !== ':memory:') {
    mkdirSync(dirname(resolve(config.SQLITE_FILE)), { recursive: true });
  }
  const knex = knexFactory(settings);
  if (!config.DATABASE_URL) await knex.raw('PRAGMA journal_mode = WAL');
  return knex;
}

function databaseName(databaseUrl: string) {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  if (!/^[A-Za-z0-9_$]{1,64}$/.test(name)) {
    throw new Error('DATABASE_URL must name a database made of letters, digits, _ or $');
  }
  return name;
}

async function ensureMysqlDatabase(settings: Knex.Config) {
  const { database, ...server } = settings.connection as Knex.MySql2ConnectionConfig;
  const admin = knexFactory({ client: 'mysql2', connection: server, pool: { min: 0, max: 1 }, log: settings.log });
  try {
    await admin.raw('CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', [database as string]);
  } finally {
    await admin.destroy();
  }
}
