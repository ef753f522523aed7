import { z } from 'zod';
import { ConfigError } from './config-error.js';

const DEV_CURSOR_SECRET = 'farmlokal-development-cursor-secret';

/**
 * MySQL connections per process (with WORKERS=n, up to n times as many). Small on purpose: a
 * database runs only as many queries at once as it has cores, and requests waiting in the pool's
 * first-come queue share the wait evenly. On the benchmark's uncached listings 4 gave the same
 * throughput as 16 per process (the earlier default) and a p95 about a third lower (README, Performance).
 */
export const DEFAULT_DATABASE_POOL_SIZE = 4;

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const fraction = z
  .string()
  .regex(/^\d*\.?\d+$/, 'must be a number')
  .transform(Number)
  .pipe(z.number().gt(0, 'must be greater than 0').max(1, 'must be at most 1'));

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

// Comma-separated, for rotation. `whsec_<base64>` is the Standard Webhooks form; anything else is used as text.
const webhookSecrets = z
  .string()
  .transform((list) => list.split(',').map((secret) => secret.trim()))
  .superRefine((secrets, ctx) => {
    secrets.forEach((secret, i) => {
      const base64 = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : undefined;
      const ok =
        base64 === undefined ? secret.length >= 16 : /^[A-Za-z0-9+/]+={0,2}$/.test(base64) && Buffer.from(base64, 'base64').length >= 16;
      if (!ok) ctx.addIssue({ code: 'custom', message: `secret ${i + 1} must be whsec_ and base64 of 16+ bytes, or 16+ characters` });
    });
  });

// 'false' (default), 'true' (trust every hop: only behind a proxy that overwrites X-Forwarded-For),
// or how many proxies stand in front of the service (only that many right-most entries are believed).
const trustProxy = z
  .string()
  .regex(/^(true|false|\d{1,2})$/, 'must be true, false or the number of proxies in front (0 to 99)')
  .transform((v): boolean | number => (v === 'true' ? true : v === 'false' ? false : Number(v)));

// Comma-separated origins (scheme://host[:port]) allowed to call the API from a browser, or *.
const corsOrigins = z
  .string()
  .transform((list) =>
    list
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
  )
  .superRefine((origins, ctx) => {
    for (const origin of origins) {
      if (origin === '*') continue;
      let parsed: URL | undefined;
      try {
        parsed = new URL(origin);
      } catch {
        parsed = undefined;
      }
      if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== origin) {
        ctx.addIssue({ code: 'custom', message: `${origin} is not an origin like https://shop.example.in (no path, no trailing slash)` });
      }
    }
    if (origins.includes('*') && origins.length > 1) ctx.addIssue({ code: 'custom', message: '* must stand alone' });
  });

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL with scheme ${protocols.join(' or ')}`,
  );

// Comma-separated URLs (replicas, cluster seed nodes).
const urlList = (protocols: string[]) =>
  z
    .string()
    .transform((list) =>
      list
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    )
    .pipe(z.array(url(protocols)).min(1, 'must list at least one URL'));

// Comma-separated host:port pairs (Sentinels).
const hostPortList = z
  .string()
  .transform((list) =>
    list
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  )
  .pipe(
    z
      .array(z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'must be host:port'))
      .min(1, 'must list at least one host:port')
      .transform((items) =>
        items.map((item) => ({ host: item.slice(0, item.lastIndexOf(':')), port: Number(item.slice(item.lastIndexOf(':') + 1)) })),
      ),
  );

const EnvSchema = z.object({
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // mock: a development deployment that uses the bundled mock partner and its published secrets,
  // whatever the database (`npm start` runs the mock). auto: only on the embedded default (no DATABASE_URL).
  PARTNER_MODE: z.enum(['auto', 'mock']).default('auto'),
  // /metrics: on the service's port (unset), on a port of its own (METRICS_PORT), or not at all.
  METRICS_ENABLED: bool.default(true),
  METRICS_PORT: int(1, 65535).optional(),
  DOCS_ENABLED: bool.default(true),
  DATABASE_URL: url(['mysql:', 'mariadb:']).optional(),
  // Read replicas for listings, detail and search (README, Scaling out); writes stay on DATABASE_URL.
  DATABASE_READ_URLS: urlList(['mysql:', 'mariadb:']).optional(),
  // A replica further behind than this is skipped (its reads go to another replica or the primary).
  DATABASE_READ_MAX_LAG_SECONDS: int(1, 3_600).default(5),
  DATABASE_POOL_SIZE: int(1, 200).default(DEFAULT_DATABASE_POOL_SIZE),
  // The bulkheads (README, Reliability): catalogue reads and event writes have pools of their own;
  // a request that gets no connection within its pool's wait is shed (503 overloaded).
  DATABASE_POOL_WAIT_MS: int(1, 60_000).default(1_000),
  DATABASE_WRITE_POOL_SIZE: int(1, 200).default(4),
  DATABASE_WRITE_POOL_WAIT_MS: int(1, 120_000).default(10_000),
  // max_statement_time of every service statement (MariaDB; max_execution_time, SELECTs only, on MySQL).
  DATABASE_STATEMENT_TIMEOUT_MS: int(10, 600_000).default(5_000),
  // Search pages that walk on a budget (README, Search) run this many at once per process; the rest
  // wait their turn, at most SEARCH_QUEUE_LENGTH of them for SEARCH_QUEUE_WAIT_MS, else 503 overloaded.
  SEARCH_CONCURRENCY: int(1, 64).default(4),
  SEARCH_QUEUE_LENGTH: int(0, 10_000).default(64),
  SEARCH_QUEUE_WAIT_MS: int(1, 60_000).default(2_000),
  // While the process is busy with other requests, budgeted search pages start at most this many a
  // second (after a burst of as many); 0: never held back.
  SEARCH_BUSY_RATE: int(0, 10_000).default(10),
  // A request still running after this is cancelled: its statements are killed, it answers 503.
  REQUEST_DEADLINE_MS: int(100, 600_000).default(20_000),
  SQLITE_FILE: z.string().min(1).default('./data/farmlokal.sqlite'),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  // Or a Redis Cluster (seed nodes) or a Sentinel-managed primary; at most one of the three topologies.
  REDIS_CLUSTER_URLS: urlList(['redis:', 'rediss:']).optional(),
  REDIS_SENTINELS: hostPortList.optional(),
  REDIS_SENTINEL_NAME: z.string().min(1).optional(),
  REDIS_KEY_PREFIX: z.string().default('farmlokal:'),
  MIGRATE_ON_START: bool.default(true),
  SEED_DEMO: bool.default(true),
  WORKERS: int(1, 64).default(1),
  SHUTDOWN_TIMEOUT_MS: int(0, 120_000).default(10_000),
  CURSOR_SECRET: z.string().min(16, 'must be at least 16 characters').default(DEV_CURSOR_SECRET),
  CACHE_FRESH_SECONDS: int(0, 86_400).default(30),
  CACHE_STALE_SECONDS: int(0, 86_400).default(300),
  CACHE_NEAR_ENTRIES: int(0, 100_000).default(1_000),
  CACHE_NEAR_MAX_AGE_MS: int(0, 60_000).default(1_000),
  CACHE_WRITE_GRACE_MS: int(0, 1_000).default(500),
  OAUTH_TOKEN_URL: url(['http:', 'https:']).optional(),
  OAUTH_CLIENT_ID: z.string().min(1).optional(),
  OAUTH_CLIENT_SECRET: z.string().min(1).optional(),
  OAUTH_SCOPE: z.string().optional(),
  OAUTH_CLIENT_AUTH: z.enum(['basic', 'body']).default('basic'),
  OAUTH_DEFAULT_LIFETIME_SECONDS: int(1, 604_800).default(3600),
  OAUTH_EXPIRY_SKEW_SECONDS: int(0, 3600).default(60),
  OAUTH_REFRESH_AHEAD_FRACTION: fraction.default(0.8),
  OAUTH_REQUEST_TIMEOUT_MS: int(100, 60_000).default(5000),
  OAUTH_RETRIES: int(0, 10).default(3),
  OAUTH_LOCK_LEASE_MS: int(100, 60_000).default(5000),
  OAUTH_LOCK_WAIT_MS: int(100, 300_000).default(15_000),
  OAUTH_REJECTION_COOLDOWN_SECONDS: int(0, 3600).default(10),
  PARTNER_API_URL: url(['http:', 'https:']).optional(),
  PARTNER_ATTEMPT_TIMEOUT_MS: int(10, 60_000).default(800),
  PARTNER_DEADLINE_MS: int(10, 120_000).default(2_500),
  PARTNER_RETRIES: int(0, 10).default(6),
  PARTNER_BACKOFF_BASE_MS: int(0, 60_000).default(50),
  PARTNER_BACKOFF_MAX_MS: int(0, 60_000).default(1_000),
  PARTNER_RETRY_BUDGET_PERCENT: int(0, 100).default(80),
  PARTNER_RETRY_BUDGET_FLOOR: int(0, 100_000).default(10),
  PARTNER_BREAKER_FAILURE_PERCENT: int(1, 100).default(50),
  PARTNER_BREAKER_WINDOW: int(1, 10_000).default(20),
  PARTNER_BREAKER_MIN_CALLS: int(1, 10_000).default(10),
  PARTNER_BREAKER_OPEN_MS: int(10, 3_600_000).default(5_000),
  PARTNER_CACHE_SECONDS: int(0, 3_600).default(5),
  AVAILABILITY_RETENTION_SECONDS: int(1, 2_592_000).default(86_400),
  CATALOG_SYNC_PAGE_SIZE: int(1, 500).default(200),
  WEBHOOK_SECRETS: webhookSecrets.default([]),
  WEBHOOK_PUBLIC_URL: url(['http:', 'https:']).optional(),
  WEBHOOK_REGISTER_ON_START: bool.default(true),
  WEBHOOK_TOLERANCE_SECONDS: int(1, 3_600).default(300),
  WEBHOOK_CLAIM_LEASE_MS: int(100, 600_000).default(30_000),
  WEBHOOK_BODY_LIMIT_BYTES: int(1_024, 16_777_216).default(262_144),
  // Requests per window per client; 0 turns that budget off, RATE_LIMIT_ENABLED=false turns both off.
  RATE_LIMIT_ENABLED: bool.default(true),
  RATE_LIMIT_PUBLIC_POINTS: int(0, 1_000_000).default(600),
  RATE_LIMIT_PUBLIC_WINDOW_SECONDS: int(1, 86_400).default(60),
  RATE_LIMIT_WEBHOOK_POINTS: int(0, 1_000_000).default(1_200),
  RATE_LIMIT_WEBHOOK_WINDOW_SECONDS: int(1, 86_400).default(60),
  TRUST_PROXY: trustProxy.default(false),
  CORS_ORIGINS: corsOrigins.default([]),
  HSTS_MAX_AGE_SECONDS: int(0, 63_072_000).default(31_536_000),
  HTTP_MAX_HEADER_BYTES: int(1_024, 65_536).default(16_384),
  HTTP_MAX_URL_LENGTH: int(256, 65_536).default(4_096),
  HTTP_MAX_QUERY_PARAMS: int(1, 1_000).default(32),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(1_000, 600_000).default(65_000),
  HTTP_HEADERS_TIMEOUT_MS: int(1_000, 600_000).default(66_000),
  HTTP_REQUEST_TIMEOUT_MS: int(1_000, 3_600_000).default(90_000),
});

export type Config = Readonly<z.infer<typeof EnvSchema>> & {
  readonly usesDevelopmentCursorSecret: boolean;
  /** The embedded default (no DATABASE_URL) or PARTNER_MODE=mock: development conveniences allowed. */
  readonly development: boolean;
};

/** Pure: reads only `env`. Throws ConfigError naming each bad key. Empty values count as unset. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const present = Object.fromEntries(
    Object.keys(EnvSchema.shape)
      .map((key): [string, string | undefined] => [key, env[key]?.trim()])
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const config = parsed.data;
  const problems: string[] = [];
  const redisTopologies = (['REDIS_URL', 'REDIS_CLUSTER_URLS', 'REDIS_SENTINELS'] as const).filter((key) => config[key] !== undefined);
  if (redisTopologies.length > 1) {
    problems.push(`${redisTopologies.join(', ')}: set only one of REDIS_URL, REDIS_CLUSTER_URLS, REDIS_SENTINELS (one Redis deployment)`);
  }
  if (config.REDIS_SENTINELS && !config.REDIS_SENTINEL_NAME) {
    problems.push('REDIS_SENTINEL_NAME: required when REDIS_SENTINELS is set (the master name the Sentinels monitor)');
  }
  if (config.DATABASE_READ_URLS && !config.DATABASE_URL) {
    problems.push('DATABASE_READ_URLS: needs DATABASE_URL (the primary every write goes to)');
  }
  if (config.WORKERS > 1 && (!config.DATABASE_URL || redisTopologies.length === 0)) {
    problems.push(
      'WORKERS: more than one worker needs DATABASE_URL and Redis (REDIS_URL, REDIS_CLUSTER_URLS or REDIS_SENTINELS); the embedded SQLite file and in-process caches are correct for a single process only',
    );
  }
  if (config.OAUTH_TOKEN_URL) {
    for (const key of ['OAUTH_CLIENT_ID', 'OAUTH_CLIENT_SECRET'] as const) {
      if (!config[key]) problems.push(`${key}: required when OAUTH_TOKEN_URL is set`);
    }
  }
  if (config.OAUTH_LOCK_WAIT_MS <= config.OAUTH_LOCK_LEASE_MS) {
    problems.push('OAUTH_LOCK_WAIT_MS: must exceed OAUTH_LOCK_LEASE_MS, so a waiter outlives the lease of a token fetcher that died');
  }
  if (config.PARTNER_DEADLINE_MS < config.PARTNER_ATTEMPT_TIMEOUT_MS) {
    problems.push('PARTNER_DEADLINE_MS: must be at least PARTNER_ATTEMPT_TIMEOUT_MS, or no attempt could run its course');
  }
  if (config.PARTNER_BACKOFF_MAX_MS < config.PARTNER_BACKOFF_BASE_MS) {
    problems.push('PARTNER_BACKOFF_MAX_MS: must be at least PARTNER_BACKOFF_BASE_MS');
  }
  if (config.PARTNER_BREAKER_MIN_CALLS > config.PARTNER_BREAKER_WINDOW) {
    problems.push('PARTNER_BREAKER_MIN_CALLS: must not exceed PARTNER_BREAKER_WINDOW, or the breaker could never open');
  }
  if (config.HTTP_HEADERS_TIMEOUT_MS <= config.HTTP_KEEP_ALIVE_TIMEOUT_MS) {
    problems.push(
      'HTTP_HEADERS_TIMEOUT_MS: must exceed HTTP_KEEP_ALIVE_TIMEOUT_MS, or an idle keep-alive connection can be cut as a slow request',
    );
  }
  if (config.HTTP_REQUEST_TIMEOUT_MS < config.HTTP_HEADERS_TIMEOUT_MS) {
    problems.push('HTTP_REQUEST_TIMEOUT_MS: must be at least HTTP_HEADERS_TIMEOUT_MS (the headers are part of the request)');
  }
  if (config.REQUEST_DEADLINE_MS <= config.DATABASE_WRITE_POOL_WAIT_MS) {
    problems.push('REQUEST_DEADLINE_MS: must exceed DATABASE_WRITE_POOL_WAIT_MS, or a queued webhook is cancelled before it could be shed');
  }
  if (config.METRICS_PORT !== undefined && config.METRICS_PORT === config.PORT) {
    problems.push('METRICS_PORT: must differ from PORT (leave it unset to serve /metrics on PORT)');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...config,
    usesDevelopmentCursorSecret: config.CURSOR_SECRET === DEV_CURSOR_SECRET,
    development: !config.DATABASE_URL || config.PARTNER_MODE === 'mock',
  };
}
