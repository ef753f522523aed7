import type { Knex } from 'knex';
import { Counter, Gauge, type Registry } from 'prom-client';
import { GtidPosition } from './gtid-position.js';

export interface Replica {
  /** A name for metrics and logs (host:port). */
  readonly name: string;
  readonly knex: Knex;
}

export interface ReplicaRouterSettings {
  /** A replica further behind than this (Seconds_Behind_Master), or not replicating, is skipped. */
  readonly maxLagSeconds: number;
  /** How long a read waits for its replica to apply the primary's position before using the primary. */
  readonly waitSeconds: number;
  /** How often each replica's lag is measured. */
  readonly probeMs: number;
}

interface ReplicaState {
  /** A position this replica is known to have applied (from a successful MASTER_GTID_WAIT). */
  applied: GtidPosition;
  lagSeconds: number;
  reachable: boolean;
}

interface Waiter {
  resolve(position: GtidPosition): void;
  reject(error: unknown): void;
}

/**
 * Chooses where a catalogue read runs so that it sees every write committed before it began
 * (read-your-writes, and no cache rebuild storing data older than the write that invalidated it):
 * it reads the primary's `@@gtid_binlog_pos`, then takes the next replica (round robin) that is
 * replicating, no more than maxLagSeconds behind, and has applied that position, waiting for it
 * on the replica with `MASTER_GTID_WAIT(position, waitSeconds)`; when none can, the read goes to
 * the primary. A replica's applied position is remembered, so a replica already past it costs no
 * wait. Concurrent reads share one position query: each query answers every read that asked
 * before it started (so its position is never older than any of their starts), one at a time.
 */
export class ReplicaRouter {
  private readonly states = new Map<string, ReplicaState>();
  private waiting: Waiter[] = [];
  private fetching = false;
  private next = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly lag: Gauge | undefined;
  private readonly routed: Counter | undefined;

  constructor(
    private readonly primary: Knex,
    private readonly replicas: readonly Replica[],
    private readonly settings: ReplicaRouterSettings,
    registry?: Registry,
  ) {
    for (const replica of replicas)
      this.states.set(replica.name, { applied: GtidPosition.parse(''), lagSeconds: Infinity, reachable: false });
    if (registry) {
      this.lag = new Gauge({
        name: 'database_replica_lag_seconds',
        help: 'Seconds_Behind_Master of each read replica (-1: not replicating or unreachable)',
        labelNames: ['replica'],
        registers: [registry],
      });
      this.routed = new Counter({
        name: 'database_replica_reads_total',
        help: 'Catalogue reads by where they ran: a replica, or the primary and why',
        labelNames: ['target', 'reason'],
        registers: [registry],
      });
    }
  }

  /**
   * Checks that the primary logs GTIDs (without a binary log its position is empty and every
   * replica would look in step), then measures every replica's lag now and every probeMs from now on.
   */
  async start(): Promise<void> {
    const [rows] = (await this.primary.raw('SELECT @@log_bin AS logBin')) as [{ logBin: number | string }[]];
    if (Number(rows[0]?.logBin) !== 1) {
      throw new Error('DATABASE_READ_URLS needs the primary (DATABASE_URL) to write a binary log with GTIDs (log_bin)');
    }
    await this.probe();
    this.timer ??= setInterval(() => void this.probe(), this.settings.probeMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The replica this read may use, or null: read from the primary. */
  async choose(): Promise<Replica | null> {
    const candidates = this.replicas.filter((replica) => {
      const state = this.states.get(replica.name)!;
      return state.reachable && state.lagSeconds <= this.settings.maxLagSeconds;
    });
    if (candidates.length === 0) return this.fallback('no replica in step');
    const target = await this.primaryPosition();
    const replica = candidates[this.next++ % candidates.length];
    const state = this.states.get(replica.name)!;
    if (state.applied.covers(target)) return this.use(replica);
    try {
      const [rows] = (await replica.knex.raw('SELECT MASTER_GTID_WAIT(?, ?) AS waited', [target.text, this.settings.waitSeconds])) as [
        { waited: number | string | null }[],
      ];
      if (Number(rows[0]?.waited) !== 0) return this.fallback('replica behind');
      state.applied = state.applied.max(target);
      return this.use(replica);
    } catch (error) {
      // Every connection of the replica's pool busy: it answers, this read goes to the primary,
      // and the replica stays in rotation. Anything else: out until the next probe finds it.
      if ((error as { name?: string }).name === 'KnexTimeoutError' && poolFull(replica.knex)) return this.fallback('replica busy');
      state.reachable = false;
      return this.fallback('replica unreachable');
    }
  }

  /** Lag in seconds per replica (Infinity: not replicating or unreachable), as last measured. */
  lagByReplica(): Record<string, number> {
    return Object.fromEntries([...this.states].map(([name, state]) => [name, state.reachable ? state.lagSeconds : Infinity]));
  }

  private use(replica: Replica) {
    this.routed?.inc({ target: 'replica', reason: '' });
    return replica;
  }

  private fallback(reason: string) {
    this.routed?.inc({ target: 'primary', reason });
    return null;
  }

  private primaryPosition(): Promise<GtidPosition> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      void this.fetchPosition();
    });
  }

  private async fetchPosition() {
    if (this.fetching || this.waiting.length === 0) return;
    this.fetching = true;
    const batch = this.waiting;
    this.waiting = [];
    try {
      const [rows] = (await this.primary.raw('SELECT @@gtid_binlog_pos AS position')) as [{ position: string }[]];
      const position = GtidPosition.parse(rows[0]?.position);
      for (const waiter of batch) waiter.resolve(position);
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
    } finally {
      this.fetching = false;
      void this.fetchPosition();
    }
  }

  private async probe() {
    await Promise.all(
      this.replicas.map(async (replica) => {
        const state = this.states.get(replica.name)!;
        try {
          const [rows] = (await replica.knex.raw('SHOW REPLICA STATUS')) as [Record<string, unknown>[]];
          const status = rows[0];
          const running = status?.Slave_SQL_Running === 'Yes' && status?.Slave_IO_Running === 'Yes';
          const behind = status?.Seconds_Behind_Master;
          state.lagSeconds = running && behind !== null && behind !== undefined ? Number(behind) : Infinity;
          state.reachable = true;
        } catch {
          state.reachable = false;
        }
        this.lag?.set({ replica: replica.name }, state.reachable && Number.isFinite(state.lagSeconds) ? state.lagSeconds : -1);
      }),
    );
  }
}

function poolFull(knex: Knex): boolean {
  const pool = (knex.client as { pool?: { numUsed(): number; max: number } }).pool;
  return pool !== undefined && pool.numUsed() >= pool.max;
}
