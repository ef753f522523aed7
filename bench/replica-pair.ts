import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import { freePort } from './processes.js';

const run = promisify(execFile);
const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const DATABASE = 'farmlokal_bench_replica';
const CATCH_UP_LIMIT_MS = 300_000;

/**
 * The replica scenario's databases (issue 17): a private MariaDB primary and a GTID replica of it,
 * started by the project's tools/scale-out scripts on free ports in a directory of their own, the
 * primary seeded with `products` products (seed 1) and the replica caught up with it. The shared
 * MariaDB keeps no binary log, so it cannot have a replica; this pair is small and separate.
 */
export class ReplicaPair {
  private constructor(
    private readonly directory: string,
    readonly primaryUrl: string,
    readonly replicaUrl: string,
    private readonly primary: Knex,
    private readonly replica: Knex,
  ) {}

  static async start(products: number, log: (message: string) => void): Promise<ReplicaPair> {
    const directory = `/tmp/farmlokal-bench-replica-${process.pid}`;
    const [primaryPort, replicaPort] = [await freePort(), await freePort()];
    const env = { ...process.env, SCALEOUT_DIR: directory, PRIMARY_PORT: String(primaryPort), REPLICA_PORT: String(replicaPort) };
    log(`replica: starting a private primary (${primaryPort}) and replica (${replicaPort})`);
    await run('bash', [root('tools/scale-out/mariadb-replica-up.sh')], { env });
    const primaryUrl = `mysql://root@127.0.0.1:${primaryPort}/${DATABASE}`;
    const replicaUrl = `mysql://reader@127.0.0.1:${replicaPort}/${DATABASE}`;
    const connect = (port: number, user: string) =>
      knexFactory({ client: 'mysql2', connection: { host: '127.0.0.1', port, user }, pool: { min: 0, max: 1 } });
    const pair = new ReplicaPair(directory, primaryUrl, replicaUrl, connect(primaryPort, 'root'), connect(replicaPort, 'root'));
    try {
      log(`replica: seeding ${products.toLocaleString('en-US')} products into the primary`);
      await run(process.execPath, ['--import', 'tsx', root('src/infrastructure/cli/seed.ts'), '--count', String(products), '--seed', '1'], {
        env: { ...process.env, DATABASE_URL: primaryUrl },
        cwd: root('.'),
      });
      await pair.caughtUp();
      return pair;
    } catch (error) {
      await pair.stop();
      throw error;
    }
  }

  /** Waits until the replica has applied everything the primary has written. */
  async caughtUp(): Promise<void> {
    const started = Date.now();
    const [[primary]] = (await this.primary.raw('SELECT @@gtid_binlog_pos AS pos')) as [[{ pos: string }]];
    while (Date.now() - started < CATCH_UP_LIMIT_MS) {
      const [[replica]] = (await this.replica.raw('SELECT @@gtid_slave_pos AS pos')) as [[{ pos: string }]];
      if (replica.pos === primary.pos) return;
      await delay(250);
    }
    throw new Error(`the replica did not reach the primary's GTID position ${primary.pos} within ${CATCH_UP_LIMIT_MS} ms`);
  }

  /**
   * How far the replica is behind now: transactions (the primary's GTID sequence number minus the
   * replica's, per domain, summed; both read at once), its own Seconds_Behind_Master (null: not
   * replicating), and the catch-up time: from the primary's position arriving until the replica
   * has applied it (MASTER_GTID_WAIT, the wait a routed read makes, one round trip included), up
   * to `limitSeconds`.
   */
  async lag(limitSeconds: number): Promise<{ transactions: number; secondsBehind: number | null; catchUpMs: number }> {
    const [[[primary]], [[replica]]] = (await Promise.all([
      this.primary.raw('SELECT @@gtid_binlog_pos AS pos'),
      this.replica.raw('SELECT @@gtid_slave_pos AS pos'),
    ])) as [[[{ pos: string }]], [[{ pos: string }]]];
    const waitStarted = performance.now();
    await this.replica.raw('SELECT MASTER_GTID_WAIT(?, ?)', [primary.pos, limitSeconds]);
    const catchUpMs = performance.now() - waitStarted;
    const [[status]] = (await this.replica.raw('SHOW REPLICA STATUS')) as [[{ Seconds_Behind_Master: number | null } | undefined]];
    const sequences = (pos: string) =>
      new Map(
        pos
          .split(',')
          .filter(Boolean)
          .map((gtid) => [gtid.split('-')[0], Number(gtid.split('-')[2])]),
      );
    const applied = sequences(replica.pos);
    let transactions = 0;
    for (const [domain, sequence] of sequences(primary.pos)) transactions += Math.max(0, sequence - (applied.get(domain) ?? 0));
    return { transactions, secondsBehind: status?.Seconds_Behind_Master ?? null, catchUpMs };
  }

  /** SELECT statements each server has run so far (Com_select). */
  async selects(): Promise<{ primary: number; replica: number }> {
    const count = async (knex: Knex) => {
      const [rows] = (await knex.raw("SHOW GLOBAL STATUS LIKE 'Com_select'")) as [{ Value: string }[]];
      return Number(rows[0]?.Value ?? NaN);
    };
    return { primary: await count(this.primary), replica: await count(this.replica) };
  }

  async stop(): Promise<void> {
    await this.primary.destroy();
    await this.replica.destroy();
    await run('bash', [root('tools/scale-out/mariadb-replica-down.sh')], { env: { ...process.env, SCALEOUT_DIR: this.directory } });
    rmSync(this.directory, { recursive: true, force: true });
  }
}
