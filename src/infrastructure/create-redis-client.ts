import { setTimeout as delay } from 'node:timers/promises';
import { createClient } from 'redis';
import type { Logger } from 'pino';
import type { RedisClient } from '../adapters/redis/redis-client.js';
import { watchRedisConnection } from './watch-redis-connection.js';

// A silent server fails pending commands within PING_INTERVAL_MS + PING_TIMEOUT_MS.
const PING_INTERVAL_MS = 1_000;
const PING_TIMEOUT_MS = 500;
const MAX_RECONNECT_DELAY_MS = 2_000;
const START_WAIT_MS = 2_000;

/**
 * A client that never queues commands while disconnected (they fail at once, so callers can
 * degrade), bounds how long commands wait on a server that stopped answering (see
 * watchRedisConnection), and reconnects forever with capped backoff.
 */
export async function createRedisClient(url: string, logger: Logger): Promise<RedisClient> {
  let lastLogged = 0;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2_000,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 6), MAX_RECONNECT_DELAY_MS),
    },
  });
  client.on('error', (error: Error) => {
    if (Date.now() - lastLogged < 5_000) return;
    lastLogged = Date.now();
    logger.warn({ err: error }, 'redis connection error; redis-backed features are degraded');
  });
  client.on('ready', () => logger.info('redis connected'));
  watchRedisConnection(client as RedisClient, logger, { intervalMs: PING_INTERVAL_MS, timeoutMs: PING_TIMEOUT_MS });
  // connect() stays pending while the server is down; serve degraded rather than wait for it.
  const connected = client.connect().then(
    () => true,
    () => false,
  );
  const ready = await Promise.race([connected, delay(START_WAIT_MS, false)]);
  if (!ready) logger.warn('redis unreachable at start-up; continuing degraded and reconnecting in the background');
  return client as RedisClient;
}

/**
 * A second connection, for subscriptions only (a subscribed RESP2 connection runs no other
 * commands), with the same options. Not awaited: it reconnects in the background like the first.
 */
export function createRedisSubscriber(client: RedisClient, logger: Logger): RedisClient {
  let lastLogged = 0;
  const subscriber = client.duplicate();
  subscriber.on('error', (error: Error) => {
    if (Date.now() - lastLogged < 5_000) return;
    lastLogged = Date.now();
    logger.warn({ err: error }, 'redis subscriber connection error; the near cache tier is bypassed until it is back');
  });
  subscriber.connect().catch(() => undefined);
  return subscriber as RedisClient;
}
