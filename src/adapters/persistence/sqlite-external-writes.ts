import type { Knex } from 'knex';

export interface ExternalWriteWatch {
  /** Checks now (as the timer does), resolving after onWrite when it was called. */
  poll(): Promise<void>;
  /** Stops polling; resolves once a poll in progress has finished. */
  stop(): Promise<void>;
}

export interface ExternalWriteOptions {
  /** How often the file is asked; the bound, beyond the poll itself, on how long another process's write goes unnoticed. */
  readonly intervalMs: number;
  /** A poll or onWrite failed; polling goes on. */
  readonly onError: (error: unknown) => void;
}

/**
 * Calls `onWrite` after another connection (another process: `npm run catalog:sync`) commits to
 * the SQLite file. SQLite's `PRAGMA data_version` changes, on one connection, exactly when some
 * OTHER connection committed since the last time it was asked; this connection's own commits do not
 * move it. The embedded knex pool holds that one connection (Knex gives SQLite a pool of one), so
 * the service's own writes, which invalidate precisely, never trigger it. A new connection (after
 * the pool replaced one) reads an unrelated value: that counts as a write, harmlessly.
 */
export function watchSqliteExternalWrites(knex: Knex, onWrite: () => Promise<void>, options: ExternalWriteOptions): ExternalWriteWatch {
  let last: number | undefined;
  let running: Promise<void> | undefined;
  const poll = async () => {
    try {
      const version = dataVersionOf(await knex.raw('PRAGMA data_version'));
      const moved = last !== undefined && version !== last;
      last = version;
      if (moved) await onWrite();
    } catch (error) {
      options.onError(error);
    }
  };
  const once = () => (running ??= poll().finally(() => (running = undefined)));
  const timer = setInterval(() => void once(), options.intervalMs);
  timer.unref();
  void once();
  return {
    poll: once,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

function dataVersionOf(rows: unknown): number {
  const [row] = rows as { data_version: number }[];
  return Number(row?.data_version);
}
