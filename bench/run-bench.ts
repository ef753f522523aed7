import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { createKnex } from '../src/infrastructure/create-knex.js';
import { COMMON_WORD, RARE_WORD } from '../src/infrastructure/seed/catalog-generator.js';
import { drive, type LoadResult, type LoadSettings } from './load.js';
import { startProcess, type RunningProcess } from './processes.js';
import { renderReport, type ScenarioResult, type Target } from './report.js';
import { DEEP_PAGE, RequestPlans, type Listing } from './request-plans.js';

// `npm run bench`: see README "Performance (measured)". Every setting has a BENCH_* override.
const env = process.env;
const DATABASE_URL = env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/farmlokal_bench';
const REDIS_URL = env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const WORKERS = Number(env.BENCH_WORKERS ?? 2);
const POOL_SIZE = 16; // the service's Knex pool maximum, per worker
const LOAD: LoadSettings = { connections: Number(env.BENCH_CONNECTIONS ?? 32), durationSeconds: Number(env.BENCH_DURATION_SECONDS ?? 15) };
const WARMUP: LoadSettings = { ...LOAD, durationSeconds: Number(env.BENCH_WARMUP_SECONDS ?? 3) };
// Uncached scenarios need a distinct request for every one sent; this covers 8,000 req/s.
const UNIQUE_REQUESTS = (LOAD.durationSeconds + WARMUP.durationSeconds) * 8_000;

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const prefix = `farmlokal-bench-${Date.now().toString(36)}:`;
const secret = randomBytes(24).toString('base64url');
const knex = await createKnex({ DATABASE_URL, SQLITE_FILE: ':memory:' });
const redis = createClient({ url: REDIS_URL });
await redis.connect();
const running: RunningProcess[] = [];
const scenarios: ScenarioResult[] = [];

try {
  const products = Number((await knex('products').count({ n: '*' }).first())?.n ?? 0);
  if (products === 0) throw new Error(`no products in ${DATABASE_URL}; seed it first (see README "Performance (measured)")`);
  const loadBefore = loadavg()[0]!.toFixed(2);
  const plans = new RequestPlans(knex, secret);
  log(`building request plans over ${products.toLocaleString('en-US')} products`);
  const [keysetListings, coldListings, warmListings] = await Promise.all(
    [1, 2, 3].map((seed) => plans.randomListings(UNIQUE_REQUESTS, seed)),
  );

  const service = await start('service', 'src/infrastructure/main.ts', {
    DATABASE_URL,
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    WORKERS: String(WORKERS),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    CURSOR_SECRET: secret,
    RATE_LIMIT_ENABLED: 'false',
  }, '/livez');
  const hot = RequestPlans.hotListings().map((l) => plans.servicePath(l));
  const bodyKey = `${prefix}ceiling:page`;
  await redis.set(bodyKey, await (await fetch(service.url + hot[0])).text());

  const redisCeiling = await start('bare Koa + Redis', 'bench/servers/redis-ceiling-server.ts', { REDIS_URL, WORKERS: String(WORKERS), BODY_KEY: bodyKey }, '/');
  await measure('ceiling: bare Koa + Redis GET', redisCeiling, () => '/', () => '/');
  await stop(redisCeiling);

  const keysetCeiling = await start('raw mysql2 keyset', 'bench/servers/keyset-ceiling-server.ts', { DATABASE_URL, WORKERS: String(WORKERS), POOL_SIZE: String(POOL_SIZE) }, '/keyset?sort=price&order=asc&limit=1&value=0&id=0');
  await measure('ceiling: raw mysql2 keyset query', keysetCeiling, paths(warmListings, RequestPlans.keysetPath), paths(keysetListings, RequestPlans.keysetPath));
  await stop(keysetCeiling);

  const toService = (l: Listing) => plans.servicePath(l);
  await measure('cold (random cursors, sorts, filters)', service, paths(warmListings.slice().reverse(), toService), paths(coldListings, toService), { ceiling: 'ceiling: raw mysql2 keyset query', expectedCache: 'MISS' });
  for (const path of [...hot, ...hot]) await fetch(service.url + path);
  await measure('cached (hot first pages)', service, cycle(hot), cycle(hot), { ceiling: 'ceiling: bare Koa + Redis GET', expectedCache: 'HIT' });
  for (const [name, page, q] of [
    ['deep: page 1', 1, undefined],
    [`deep: page ${DEEP_PAGE.toLocaleString('en-US')}`, DEEP_PAGE, undefined],
    [`search: rare word "${RARE_WORD}"`, 1, RARE_WORD],
    [`search: common word "${COMMON_WORD}"`, 1, COMMON_WORD],
  ] as const) {
    const listings = await plans.newestFirstPage(page, UNIQUE_REQUESTS, q);
    const split = WARMUP.durationSeconds * 8_000;
    await measure(name, service, paths(listings.slice(0, split), toService), paths(listings.slice(split), toService), { ceiling: 'ceiling: raw mysql2 keyset query', expectedCache: 'MISS' });
  }
  await stop(service);

  const report = renderReport(
    {
      title: `Catalogue benchmark, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      environment: [
        `${products.toLocaleString('en-US')} products in MariaDB (${DATABASE_URL.replace(/\/\/[^@]*@/, '//')}), Redis ${REDIS_URL}`,
        `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, commit ${commit()}; 1-minute load average ${loadBefore} before, ${loadavg()[0]!.toFixed(2)} after`,
        `autocannon, ${LOAD.connections} connections, ${LOAD.durationSeconds} s per scenario after a ${WARMUP.durationSeconds} s warm-up; every process on this one machine`,
        `service: WORKERS=${WORKERS}, LOG_LEVEL=warn, RATE_LIMIT_ENABLED=false (one client address would exhaust the public budget), Redis cache, fresh CURSOR_SECRET`,
      ],
      commands: [
        'DATABASE_URL=mysql://root@127.0.0.1:3306/farmlokal_bench npm run seed -- --count 1000000 --seed 1 --reset',
        'npm run bench',
      ],
      notes: [
        'Latency percentiles are over every response of the measured window (not autocannon\'s per-second buckets); req/s is responses / duration.',
        'cold, deep and search send a distinct signed cursor with every request, so each one is a cache miss (X-Cache counts prove it); cached cycles 24 first pages warmed beforehand.',
        `deep sends cursors that land on page 1 or page ${DEEP_PAGE.toLocaleString('en-US')} of the newest-first listing (position: that page's first created_at, an id beyond every id).`,
        'Both ceilings run on the same number of worker processes; the keyset ceiling uses a mysql2 pool of the same size per worker as the service.',
      ],
    },
    scenarios,
    targets(),
  );
  process.stdout.write(`\n${report}`);
  mkdirSync(root('bench/results'), { recursive: true });
  writeFileSync(root('bench/results/latest.md'), report);
  writeFileSync(root(`bench/results/${new Date().toISOString().slice(0, 16).replace(/[T:]/g, '-')}.md`), report);
} finally {
  for (const process of running) await process.stop();
  for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 1_000 })) if (keys.length > 0) await redis.del(keys);
  redis.destroy();
  await knex.destroy();
}

async function start(name: string, entry: string, vars: Record<string, string>, readyPath: string) {
  log(`starting ${name}`);
  const started = await startProcess(name, root(entry), vars, readyPath);
  running.push(started);
  return started;
}

async function stop(process: RunningProcess) {
  await process.stop();
  running.splice(running.indexOf(process), 1);
}

async function measure(
  name: string,
  target: RunningProcess,
  warmup: () => string,
  measured: () => string,
  options: Pick<ScenarioResult, 'ceiling' | 'expectedCache'> = {},
) {
  log(`${name}: warm-up`);
  await drive(target.url, warmup, WARMUP);
  await delay(500);
  const result = await drive(target.url, measured, LOAD);
  log(`${name}: ${Math.round(result.requestsPerSecond)} req/s, p95 ${result.p95.toFixed(1)} ms, ${JSON.stringify(result.xCache)}`);
  scenarios.push({ name, result, ...options });
}

function paths(listings: readonly Listing[], toPath: (listing: Listing) => string) {
  const all = listings.map(toPath);
  return cycle(all);
}

function cycle(all: readonly string[]) {
  let next = 0;
  return () => all[next++ % all.length]!;
}

function targets(): Target[] {
  const get = (prefix: string): LoadResult => scenarios.find((s) => s.name.startsWith(prefix))!.result;
  const cold = get('cold');
  const keyset = get('ceiling: raw');
  const cached = get('cached');
  const koa = get('ceiling: bare');
  const first = get('deep: page 1');
  const deep = get(`deep: page ${DEEP_PAGE.toLocaleString('en-US')}`);
  const rare = get('search: rare');
  const common = get('search: common');
  const ratio = (a: number, b: number) => a / b;
  return [
    { description: 'cold throughput >= 0.8x the raw keyset ceiling', actual: `${ratio(cold.requestsPerSecond, keyset.requestsPerSecond).toFixed(2)}x`, met: cold.requestsPerSecond >= 0.8 * keyset.requestsPerSecond },
    { description: 'cold throughput > 2,600 req/s (plain Express + mysql2)', actual: `${Math.round(cold.requestsPerSecond)} req/s`, met: cold.requestsPerSecond > 2_600 },
    { description: 'cold P95 <= 20 ms', actual: `${cold.p95.toFixed(1)} ms`, met: cold.p95 <= 20 },
    { description: 'cached throughput >= 0.8x the bare Koa + Redis ceiling', actual: `${ratio(cached.requestsPerSecond, koa.requestsPerSecond).toFixed(2)}x`, met: cached.requestsPerSecond >= 0.8 * koa.requestsPerSecond },
    {
      description: `deep (page ${DEEP_PAGE.toLocaleString('en-US')}) / first-page latency <= 1.5 (p50 and p95)`,
      actual: `p50 ${ratio(deep.p50, first.p50).toFixed(2)}, p95 ${ratio(deep.p95, first.p95).toFixed(2)}`,
      met: deep.p50 <= 1.5 * first.p50 && deep.p95 <= 1.5 * first.p95,
    },
    { description: `search P95 <= 100 ms, rare word "${RARE_WORD}"`, actual: `${rare.p95.toFixed(1)} ms`, met: rare.p95 <= 100 },
    { description: `search P95 <= 100 ms, common word "${COMMON_WORD}"`, actual: `${common.p95.toFixed(1)} ms`, met: common.p95 <= 100 },
    {
      description: 'every uncached request missed the cache, every cached one hit',
      actual: scenarios.filter((s) => s.expectedCache).map((s) => `${s.name.split(' ')[0]} ${JSON.stringify(s.result.xCache)}`).join('; '),
      met: scenarios.every((s) => !s.expectedCache || Object.keys(s.result.xCache).every((k) => k === s.expectedCache)),
    },
  ];
}

function commit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root('.') }).toString().trim();
  } catch {
    return 'unknown';
  }
}

function log(message: string) {
  process.stderr.write(`[bench] ${message}\n`);
}
