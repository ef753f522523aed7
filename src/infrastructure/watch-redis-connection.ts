import type { Logger } from 'pino';
import type { RedisClient } from '../adapters/redis/redis-client.js';

export interface RedisWatchSettings {
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/**
 * Bounds how long any command can wait on a Redis that stopped answering (process frozen, network
 * silently dropping): a PING every `intervalMs`; one still unanswered after `timeoutMs` drops the
 * connection, which fails every pending command at once (callers degrade), and reopens it. One
 * timer per client, where node-redis' per-command timeout costs an uncancellable AbortSignal timer
 * per command and stops counting once the command is written, so it never bounded the reply.
 */
export function watchRedisConnection(client: RedisClient, logger: Logger, settings: RedisWatchSettings): void {
  let probing = false;
  let resetting = false;
  const reset = () => {
    logger.warn({ timeoutMs: settings.timeoutMs }, 'redis did not answer a ping in time; reconnecting');
    resetting = true;
    client.destroy();
    resetting = false;
    client.connect().catch(() => undefined);
  };
  const timer = setInterval(() => {
    if (probing || !client.isReady) return;
    probing = true;
    const deadline = setTimeout(reset, settings.timeoutMs);
    client
      .ping()
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(deadline);
        probing = false;
      });
  }, settings.intervalMs);
  timer.unref();
  client.on('end', () => {
    if (!resetting) clearInterval(timer);
  });
}
