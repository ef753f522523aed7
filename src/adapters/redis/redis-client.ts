import type { createClient, SetOptions } from 'redis';

/**
 * The Redis commands this project's adapters use, one interface over every topology the service
 * runs on (see the infrastructure's createRedisClient): a node-redis client for one server
 * satisfies it as it is; RedisClusterClient and RedisSentinelClient implement it over a Cluster and
 * a Sentinel-managed primary. Every script and multi-key command an adapter sends must be slot-safe:
 * all its keys declared and in one hash slot (a hash tag), or it runs as separate commands.
 */
export interface RedisClient {
  /** Connected (or connecting) and not closed. */
  readonly isOpen: boolean;
  /** Commands can be sent now; false while disconnected (commands then fail at once). */
  readonly isReady: boolean;
  /** Set by the Cluster and Sentinel clients; a node-redis client for one server has none. */
  readonly topology?: 'cluster' | 'sentinel';
  /** The logical database (SELECT) where the topology has one; pub/sub channels ignore it. */
  readonly options?: { readonly database?: number };
  connect(): Promise<unknown>;
  destroy(): unknown;
  /** 'ready', 'error', 'end', 'reconnecting': the connection's life, as node-redis names it. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- node-redis types its listeners' arguments as any
  on(event: string, listener: (...args: any[]) => void): unknown;
  ping(): Promise<string>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, options?: SetOptions): Promise<string | null>;
  /** Every key in one hash slot on a Cluster. */
  mGet(keys: string[]): Promise<(string | null)[]>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  evalSha(sha: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
  publish(channel: string, message: string): Promise<number>;
  /** Any command, as words (on a Cluster, a keyless one, to any node). */
  sendCommand(args: string[]): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  /** A new connection with the same settings (for a subscriber); not connected yet. */
  duplicate(): RedisClient;
  /** The client node-redis-aware libraries (rate-limiter-flexible) are given, with a per-command timeout. */
  withCommandOptions(options: { timeout: number }): unknown;
}

/** A node-redis client for one server, as createClient makes it: a RedisClient with every command. */
export type SingleRedisClient = ReturnType<typeof createClient>;
