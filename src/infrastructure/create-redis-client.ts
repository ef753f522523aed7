import { setTimeout as delay } from 'node:timers/promises';
import { createClient, createCluster } from 'redis';
import type { Logger } from 'pino';
import { FollowingRedisClient, type RedisAddress, type RedisLocator } from '../adapters/redis/following-redis-client.js';
import type { RedisClient, SingleRedisClient } from '../adapters/redis/redis-client.js';
import { RedisClusterClient } from '../adapters/redis/redis-cluster-client.js';
import type { Config } from './load-config.js';
import { watchRedisConnection } from './watch-redis-connection.js';
import { ThrottledWarning } from '../shared/throttled-warning.js';

// A silent server fails pending commands within PING_INTERVAL_MS + PING_TIMEOUT_MS.
const PING_INTERVAL_MS = 1_000;
const PING_TIMEOUT_MS = 500;
const MAX_RECONNECT_DELAY_MS = 2_000;
const START_WAIT_MS = 2_000;
// How often a Sentinel deployment's primary is asked for, and a cluster's slot map re-read while a
// primary is unreachable: a failover is followed within about this long after the promotion.
const FOLLOW_MS = 500;
// How often a cluster's slot map is re-read while all looks well (a frozen node looks connected).
const CLUSTER_REFRESH_MS = 5_000;
const CLUSTER_SOCKET_TIMEOUT_MS = 2_000;
const SENTINEL_ANSWER_MS = 1_000;

/** One Redis deployment, as configured (REDIS_URL, REDIS_CLUSTER_URLS or REDIS_SENTINELS). */
export type RedisTopology =
  | { readonly kind: 'single'; readonly url: string }
  | { readonly kind: 'cluster'; readonly seeds: readonly string[] }
  | { readonly kind: 'sentinel'; readonly name: string; readonly sentinels: readonly RedisAddress[] };

type TopologySettings = Pick<Config, 'REDIS_URL' | 'REDIS_CLUSTER_URLS' | 'REDIS_SENTINELS' | 'REDIS_SENTINEL_NAME'>;

/** The configured Redis deployment; undefined when none is (in-process adapters then). */
export function redisTopology(config: TopologySettings): RedisTopology | undefined {
  if (config.REDIS_URL) return { kind: 'single', url: config.REDIS_URL };
  if (config.REDIS_CLUSTER_URLS) return { kind: 'cluster', seeds: config.REDIS_CLUSTER_URLS };
  if (config.REDIS_SENTINELS) return { kind: 'sentinel', name: config.REDIS_SENTINEL_NAME!, sentinels: config.REDIS_SENTINELS };
  return undefined;
}

const socketOptions = {
  connectTimeout: 2_000,
  reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 6), MAX_RECONNECT_DELAY_MS),
};

/**
 * A client for the configured deployment that never queues commands while disconnected (they fail
 * at once, so callers degrade), bounds how long commands wait on a server that stopped answering
 * (see watchRedisConnection), reconnects forever with capped backoff, and follows a failover (a
 * Cluster's slot map, a Sentinel deployment's primary) within about FOLLOW_MS of the promotion.
 * A URL stands for one server.
 */
export async function createRedisClient(topology: RedisTopology | string, logger: Logger): Promise<RedisClient> {
  const target = typeof topology === 'string' ? ({ kind: 'single', url: topology } as const) : topology;
  const client = makeClient(target, logger);
  client.on('error', throttled(logger, 'redis connection error; redis-backed features are degraded'));
  client.on('ready', () => logger.info({ topology: target.kind }, 'redis connected'));
  if (target.kind === 'single') {
    watchRedisConnection(client, logger, { intervalMs: PING_INTERVAL_MS, timeoutMs: PING_TIMEOUT_MS });
  }
  // connect() stays pending while the server is down; serve degraded rather than wait for it.
  const connected = client.connect().then(
    () => true,
    () => false,
  );
  const ready = await Promise.race([connected, delay(START_WAIT_MS, false)]);
  if (!ready || !client.isReady) logger.warn('redis unreachable at start-up; continuing degraded and reconnecting in the background');
  return client;
}

/**
 * A second connection, for subscriptions only (a subscribed RESP2 connection runs no other
 * commands), with the same options. Not awaited: it reconnects in the background like the first.
 */
export function createRedisSubscriber(client: RedisClient, logger: Logger): RedisClient {
  const subscriber = client.duplicate();
  subscriber.on('error', throttled(logger, 'redis subscriber connection error; the near cache tier is bypassed until it is back'));
  subscriber.connect().catch(() => undefined);
  return subscriber;
}

function makeClient(topology: RedisTopology, logger: Logger): RedisClient {
  switch (topology.kind) {
    case 'single':
      return createClient({ url: topology.url, disableOfflineQueue: true, socket: socketOptions });
    case 'cluster':
      return clusterClient(topology.seeds, logger);
    case 'sentinel':
      return sentinelClient(topology.name, topology.sentinels, logger);
  }
}

function clusterClient(seeds: readonly string[], logger: Logger): RedisClient {
  const credentials = credentialsOf(seeds[0]);
  const cluster = createCluster({
    rootNodes: seeds.map((url) => ({ url })),
    // node-redis makes the node connections, so the ping watchdog cannot own them: a connection
    // silent for CLUSTER_SOCKET_TIMEOUT_MS is closed instead (failing what waits on it), and an idle
    // one sends a PING every PING_INTERVAL_MS to stay alive. This also bounds the slot-map query
    // to a frozen seed, which would otherwise hang every later re-read of the map.
    defaults: {
      ...credentials,
      disableOfflineQueue: true,
      pingInterval: PING_INTERVAL_MS,
      socket: { ...socketOptions, socketTimeout: CLUSTER_SOCKET_TIMEOUT_MS },
    },
  });
  const subscriber = (): RedisClient =>
    new FollowingRedisClient({
      topology: 'cluster',
      // Any live node hears every PUBLISH of the cluster: keep the current one while it is live.
      locator: () => ({
        locate: async (current) => {
          const live = client.livePrimaries();
          return live.find((address) => `${address.host}:${address.port}` === current) ?? live[Math.floor(Math.random() * live.length)];
        },
        close: () => undefined,
      }),
      connectTo: (address) => singleClient(address, credentials, logger),
      followMs: FOLLOW_MS,
    });
  const client = new RedisClusterClient(cluster as never, seeds, subscriber, FOLLOW_MS, CLUSTER_REFRESH_MS);
  return client;
}

function sentinelClient(name: string, sentinels: readonly RedisAddress[], logger: Logger): RedisClient {
  return new FollowingRedisClient({
    topology: 'sentinel',
    locator: () => sentinelLocator(name, sentinels),
    connectTo: (address) => singleClient(address, {}, logger),
    followMs: FOLLOW_MS,
  });
}

/** Asks the Sentinels, in order, for the current primary of `name` (SENTINEL GET-MASTER-ADDR-BY-NAME). */
function sentinelLocator(name: string, sentinels: readonly RedisAddress[]): RedisLocator {
  const watchers = sentinels.map((address) => {
    const watcher = createClient({ socket: { ...socketOptions, host: address.host, port: address.port }, disableOfflineQueue: true });
    watcher.on('error', () => undefined);
    return watcher;
  });
  // The first answer comes once one Sentinel's connection is up (bounded wait, at start-up).
  const anyUp = Promise.any(watchers.map((watcher) => watcher.connect())).catch(() => undefined);
  return {
    async locate() {
      if (!watchers.some((watcher) => watcher.isReady)) await Promise.race([anyUp, delay(SENTINEL_ANSWER_MS, undefined, { ref: false })]);
      for (const watcher of watchers) {
        if (!watcher.isReady) continue;
        const reply = await Promise.race([
          watcher.sendCommand<[string, string] | null>(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name]).catch(() => null),
          delay(SENTINEL_ANSWER_MS, null, { ref: false }),
        ]);
        if (reply) return { host: reply[0], port: Number(reply[1]) };
      }
      return undefined;
    },
    close() {
      for (const watcher of watchers) if (watcher.isOpen) watcher.destroy();
    },
  };
}

function singleClient(address: RedisAddress, credentials: Credentials, logger: Logger): SingleRedisClient {
  const client = createClient({
    ...credentials,
    disableOfflineQueue: true,
    socket: { ...socketOptions, host: address.host, port: address.port },
  });
  watchRedisConnection(client, logger, { intervalMs: PING_INTERVAL_MS, timeoutMs: PING_TIMEOUT_MS });
  return client;
}

type Credentials = { username?: string; password?: string };

function credentialsOf(url: string): Credentials {
  const parsed = new URL(url);
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
  };
}

function throttled(logger: Logger, message: string) {
  const warning = new ThrottledWarning((fields, text) => logger.warn(fields, text), 5_000);
  return (error: Error) => warning.warn({ err: error }, message);
}
