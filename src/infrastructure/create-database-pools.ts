import knexFactory, { type Knex } from 'knex';
import { StatementGuard } from '../adapters/persistence/statement-guard.js';
import { READINESS_TIMEOUT_MS } from '../application/check-readiness.js';
import { createKnex, knexConfig } from './create-knex.js';
import type { Config } from './load-config.js';

type PoolConfig = Pick<
  Config,
  | 'DATABASE_URL'
  | 'SQLITE_FILE'
  | 'DATABASE_POOL_SIZE'
  | 'DATABASE_POOL_WAIT_MS'
  | 'DATABASE_WRITE_POOL_SIZE'
  | 'DATABASE_WRITE_POOL_WAIT_MS'
  | 'DATABASE_STATEMENT_TIMEOUT_MS'
>;

/**
 * The service's database connections, one budget per kind of work, so none can starve another:
 * catalogue reads, event writes (webhooks, inbox, sync checkpoints, migrations), and readiness
 * probes. On MySQL/MariaDB each is its own pool, every statement runs under max_statement_time and
 * is cancellable (StatementGuard, with a fourth small pool that sends the KILLs). On SQLite all
 * share the one connection: better-sqlite3 runs a statement synchronously, nothing can interrupt
 * it, and what bounds it is the query shape itself (and busy_timeout for locks).
 */
export interface DatabasePools {
  readonly read: Knex;
  readonly write: Knex;
  readonly health: Knex;
  /** Absent on SQLite. */
  readonly guard?: StatementGuard;
  /**
   * Cancels running statements, then closes every pool; what is still running after `graceMs`
   * loses its connection. Resolves within about `graceMs`.
   */
  destroy(graceMs: number): Promise<void>;
}

const KILLER_POOL = { min: 0, max: 2, acquireTimeoutMs: 5_000, statementTimeoutMs: 5_000 };

export async function createDatabasePools(config: PoolConfig): Promise<DatabasePools> {
  if (!config.DATABASE_URL) {
    const knex = await createKnex(config);
    return { read: knex, write: knex, health: knex, destroy: () => knex.destroy() };
  }
  const statementTimeoutMs = config.DATABASE_STATEMENT_TIMEOUT_MS;
  const write = await createKnex(config, {
    min: Math.min(2, config.DATABASE_WRITE_POOL_SIZE),
    max: config.DATABASE_WRITE_POOL_SIZE,
    acquireTimeoutMs: config.DATABASE_WRITE_POOL_WAIT_MS,
    statementTimeoutMs,
    // For the event store's batches (KnexProductEventStore). The write pool's other users (sync
    // checkpoints, migrations, the buffer pool check) bind every value as well; the other pools keep
    // one statement per call.
    multipleStatements: true,
  });
  const read = knexFactory(
    knexConfig(config, {
      min: Math.min(2, config.DATABASE_POOL_SIZE),
      max: config.DATABASE_POOL_SIZE,
      acquireTimeoutMs: config.DATABASE_POOL_WAIT_MS,
      statementTimeoutMs,
    }),
  );
  // One connection, used by one probe at a time (CheckReadiness is single-flight), so it never queues.
  const health = knexFactory(
    knexConfig(config, {
      min: 1,
      max: 1,
      acquireTimeoutMs: READINESS_TIMEOUT_MS,
      statementTimeoutMs: READINESS_TIMEOUT_MS,
    }),
  );
  const killer = knexFactory(knexConfig(config, KILLER_POOL));
  const guard = new StatementGuard(killer);
  guard.guard(read, { bulkhead: 'catalogue-reads', statementTimeoutMs });
  guard.guard(write, { bulkhead: 'event-writes', statementTimeoutMs });
  guard.guard(health, { bulkhead: 'readiness', statementTimeoutMs: READINESS_TIMEOUT_MS });

  const destroy = async (graceMs: number) => {
    const cancelled = guard.cancelAll();
    const closed = cancelled.then(() => Promise.all([read.destroy(), write.destroy(), health.destroy()]));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    if ((await Promise.race([closed, late])) === 'late') {
      // Closing their sockets ends the statements' calls; the pools finish closing in the background.
      guard.destroyRunning();
      void closed.catch(() => undefined);
    }
    clearTimeout(timer);
    void killer.destroy().catch(() => undefined);
  };
  return { read, write, health, guard, destroy };
}
