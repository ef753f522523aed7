// A separate process holding one CachingTokenProvider over RedisTokenSource, driven by the fleet tests over stdin/stdout.
// Env: MOCK_URL, REDIS_URL (or REDIS_CLUSTER_URLS), KEY_PREFIX, CONCURRENCY, LOCK_LEASE_MS, LOCK_WAIT_MS.
// Each "go" line on stdin fires CONCURRENCY getToken calls at once; events are JSON lines on stdout.
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { NO_TOKEN_METRICS, type TokenMetrics } from '../../src/adapters/oauth/token-metrics.js';
import { createRedisClient } from '../../src/infrastructure/create-redis-client.js';
import { redisProvider } from './token-fixtures.js';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const emit = (event: object) => process.stdout.write(`${JSON.stringify(event)}\n`);
const metrics: TokenMetrics = { ...NO_TOKEN_METRICS, lockWaited: () => emit({ event: 'lockWait', at: Date.now() }) };

// REDIS_CLUSTER_URLS, when set, puts the token keys on a Redis Cluster instead (test/scale-out).
const clusterSeeds = process.env.REDIS_CLUSTER_URLS?.split(',');
const redis = await createRedisClient(
  clusterSeeds ? { kind: 'cluster', seeds: clusterSeeds } : env('REDIS_URL'),
  pino({ level: 'silent' }),
);
// createRedisClient stops waiting after 2 s (the service starts degraded); 'ready' here means Redis is.
for (let waited = 0; !redis.isReady && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
const provider = redisProvider(redis, env('KEY_PREFIX'), env('MOCK_URL'), {
  metrics,
  lockLeaseMs: Number(env('LOCK_LEASE_MS')),
  lockWaitMs: Number(env('LOCK_WAIT_MS')),
});
const concurrency = Number(env('CONCURRENCY'));

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'go') return;
  void Promise.allSettled(Array.from({ length: concurrency }, () => provider.getToken())).then((results) => {
    const values = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.value] : []));
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message)] : []));
    emit({ event: 'tokens', at: Date.now(), count: values.length, distinct: [...new Set(values)], errors });
  });
});
process.stdin.on('end', () => {
  redis.destroy();
  process.exit(0);
});
emit({ event: 'ready', pid: process.pid });
