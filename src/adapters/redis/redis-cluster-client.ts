import type { RedisClusterType, SetOptions } from 'redis';
import type { RedisClient } from './redis-client.js';

const SLOTS = 16_384;

/**
 * RedisClient over a Redis Cluster (node-redis createCluster): each command goes to the primary
 * owning its key's slot; scripts and MGET must keep their keys in one slot (hash tags).
 *
 * node-redis does not follow a failover by itself: it keeps sending a dead primary's slots to the
 * dead address until that node comes back (redis/node-redis#2806; 39 s measured here). So every
 * `rediscoverMs` while a primary's connection is down or a slot has no primary, this client asks
 * the cluster for its slot map again (CLUSTER SLOTS from any seed), and picks up the promoted
 * replica within about one interval of the promotion. Commands for the lost slots fail at once in
 * between (no offline queue), so callers degrade as they do when Redis is down. A node that froze
 * (SIGSTOP, a hung host) still looks connected, so the slot map is also re-read every
 * `refreshMs` while all looks well: once the cluster has failed the frozen node over, it drops out
 * of the map, its connection is closed and the commands waiting on it fail.
 *
 * Subscriptions run on a separate connection, `duplicate()`: a plain node-redis connection to one
 * live node (PUBLISH reaches every node of a cluster), which moves to another node when its own fails.
 */
export class RedisClusterClient implements RedisClient {
  private timer: ReturnType<typeof setInterval> | undefined;
  /** The slot map re-read in flight, if any. */
  private rediscovery: Promise<void> | undefined;
  private lastRediscovery = Date.now();
  private closed = false;
  readonly topology = 'cluster';

  constructor(
    private readonly cluster: RedisClusterType,
    private readonly seeds: readonly string[],
    private readonly makeSubscriber: () => RedisClient,
    private readonly rediscoverMs = 1_000,
    private readonly refreshMs = 5_000,
  ) {
    // node-redis finishes a slot-map re-read that was already waiting for a node's answer although
    // the cluster is closed: it connects every node the map lists, and waits for all of them. A node
    // that is gone by then (a frozen node resumed for its shutdown answers late, with its old map)
    // keeps its connection retrying forever, and the others with it. So after destroy() each such
    // connection is closed at its first outcome: ready, or failed (never while its socket opens,
    // which node-redis would then lose track of, and it would turn ready although closed).
    const closeLate = (...args: unknown[]) => {
      if (!this.closed) return;
      const { host, port } = args.at(-1) as { host: string; port: number };
      const late = this.cluster._slots.nodeByAddress.get(`${host}:${port}`)?.client;
      if (late?.isOpen) late.destroy();
    };
    cluster.on('node-ready', closeLate);
    cluster.on('node-error', closeLate);
  }

  get isOpen(): boolean {
    return this.cluster.isOpen;
  }

  /** Every slot has a primary, and every primary's connection is up. */
  get isReady(): boolean {
    return this.cluster.isOpen && this.problem() === undefined;
  }

  async connect(): Promise<unknown> {
    this.closed = false;
    this.timer ??= setInterval(() => void this.followFailover(), this.rediscoverMs);
    this.timer.unref();
    return this.cluster.connect();
  }

  /** Closes every node connection, including those a slot-map re-read in flight makes later (see the constructor). */
  destroy(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.cluster.isOpen) this.cluster.destroy();
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- node-redis types its listeners' arguments as any
  on(event: string, listener: (...args: any[]) => void): unknown {
    return this.cluster.on(event, listener);
  }

  /** PING to every primary; rejects naming what is wrong when a slot has no reachable primary. */
  async ping(): Promise<string> {
    const problem = this.problem();
    if (problem) throw new Error(problem);
    await Promise.all(this.cluster.masters.map((master) => master.client!.ping()));
    return 'PONG';
  }

  get(key: string): Promise<string | null> {
    return this.cluster.get(key);
  }

  set(key: string, value: string, options?: SetOptions): Promise<string | null> {
    return this.cluster.set(key, value, options);
  }

  mGet(keys: string[]): Promise<(string | null)[]> {
    return this.cluster.mGet(keys);
  }

  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown> {
    return this.cluster.eval(script, options);
  }

  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown> {
    return this.cluster.evalSha(sha, options);
  }

  publish(channel: string, message: string): Promise<number> {
    return this.cluster.publish(channel, message);
  }

  /** A keyless command, to any node. */
  sendCommand(args: string[]): Promise<unknown> {
    return this.cluster.sendCommand(undefined, false, args);
  }

  subscribe(): Promise<unknown> {
    return Promise.reject(new Error('subscribe on the duplicate() of a cluster client'));
  }

  duplicate(): RedisClient {
    return this.makeSubscriber();
  }

  withCommandOptions(options: { timeout: number }): unknown {
    return this.cluster.withCommandOptions(options);
  }

  /** The primaries this client is connected to now, for a subscriber looking for a live node. */
  livePrimaries(): { host: string; port: number }[] {
    return this.cluster.masters.filter((master) => master.client?.isReady).map((master) => ({ host: master.host, port: master.port }));
  }

  private problem(): string | undefined {
    const slots = this.cluster.slots;
    let covered = 0;
    for (let slot = 0; slot < SLOTS; slot += 1) if (slots[slot]?.master) covered += 1;
    if (covered < SLOTS) return `${SLOTS - covered} of ${SLOTS} hash slots have no primary`;
    const down = this.cluster.masters.filter((master) => !master.client?.isReady).map((master) => master.address);
    if (down.length > 0) return `no connection to primary ${down.join(', ')}`;
    return undefined;
  }

  private async followFailover() {
    if (this.rediscovery || !this.cluster.isOpen) return;
    if (this.problem() === undefined && Date.now() - this.lastRediscovery < this.refreshMs) return;
    this.lastRediscovery = Date.now();
    const seed = this.seeds[Math.floor(Math.random() * this.seeds.length)];
    this.rediscovery = this.cluster._slots
      .rediscover({ options: { url: seed } } as never)
      .catch(() => undefined) // No seed answered: the next interval tries again.
      .finally(() => (this.rediscovery = undefined));
    await this.rediscovery;
  }
}
