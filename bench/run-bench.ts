import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { createKnex } from '../src/infrastructure/create-knex.js';
import { DEFAULT_DATABASE_POOL_SIZE } from '../src/infrastructure/load-config.js';
import { COMMON_WORD, RARE_WORD } from '../src/infrastructure/seed/catalog-generator.js';
import { adversarialCorpus } from './adversarial-corpus.js';
import { drive, type LoadResult, type LoadSettings } from './load.js';
import { median } from './median.js';
import { mixedTargets } from './mixed-targets.js';
import { runMixed, type MixedRow } from './mixed-scenario.js';
import { startProcess, type RunningProcess } from './processes.js';
import { ReadMix } from './read-mix.js';
import { measureReplicaLag, type ReplicaLagRow } from './replica-lag.js';
import { ReplicaPair } from './replica-pair.js';
import {
  renderAdversarialTable,
  renderMixedTable,
  renderReplicaLagTable,
  renderReport,
  type ScenarioResult,
  type Target,
} from './report.js';
import { DEEP_PAGE, RequestPlans, type Listing } from './request-plans.js';
import { selectScenarios } from './scenarios.js';
import { WriteTargets } from './write-targets.js';

// `npm run bench`: see README "Performance (measured)". Every setting has a BENCH_* override.
const env = process.env;
const DATABASE_URL = env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/farmlokal_bench';
const REDIS_URL = env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const WORKERS = Number(env.BENCH_WORKERS ?? 2);
// MySQL connections per worker, for the service and both MySQL-backed comparisons alike.
const POOL_SIZE = Number(env.BENCH_POOL_SIZE ?? DEFAULT_DATABASE_POOL_SIZE);
const LOAD: LoadSettings = { connections: Number(env.BENCH_CONNECTIONS ?? 32), durationSeconds: Number(env.BENCH_DURATION_SECONDS ?? 15) };
const WARMUP: LoadSettings = { ...LOAD, durationSeconds: Number(env.BENCH_WARMUP_SECONDS ?? 3) };
// Opt-in: resize MariaDB's buffer pool (a global setting, restored afterwards) for the run.
const BUFFER_POOL_MB = env.BENCH_INNODB_BUFFER_POOL_MB ? Number(env.BENCH_INNODB_BUFFER_POOL_MB) : undefined;
// Uncached scenarios need a distinct request for every one sent; this covers 6,000 req/s.
const UNIQUE_REQUESTS = (LOAD.durationSeconds + WARMUP.durationSeconds) * 6_000;
// Each ceiling and the scenario compared with it run back to back, this many times, alternating.
// A throughput target is judged on the median of the per-round ratios, so one burst of load from
// elsewhere does not decide it either way; the scenario table shows the best run of each.
const ROUNDS = Number(env.BENCH_ROUNDS ?? 3);
// BENCH_SCENARIOS=cold,cached,mixed,adversarial,noisy (default: all). cold includes the plain
// Express reference, deep pages and search; noisy measures cold and cached beside it, ceilings aside.
const SCENARIOS = selectScenarios(env.BENCH_SCENARIOS);
// Issue 13's mixed scenario: the writer's rates, in turn, how long each one runs, and how many
// times over (each round's rows against its own W=0; the targets take the median of the rounds).
const MIXED_RATES = (env.BENCH_MIXED_RATES ?? '0,10,50,200').split(',').map(Number);
const MIXED_ROUNDS = Number(env.BENCH_MIXED_ROUNDS ?? ROUNDS);
const MIXED: LoadSettings = { connections: LOAD.connections, durationSeconds: Number(env.BENCH_MIXED_SECONDS ?? 20) };
const MIXED_TARGETS = 1_000;
const FRESHNESS_SAMPLES_PER_SECOND = 4;
// Issue 14: the adversarial corpus on its own at 8 connections, and as 4 noisy neighbours.
const ADVERSARIAL: LoadSettings = { connections: 8, durationSeconds: LOAD.durationSeconds, timeoutSeconds: 60 };
const NOISY_CLIENTS = 4;
// Issue 17: cold listings on a private primary alone and with a replica (BENCH_SCENARIOS=replica).
const REPLICA_PRODUCTS = Number(env.BENCH_REPLICA_PRODUCTS ?? 100_000);
// Then the replica's lag while a webhook writer runs at each rate (events/s) beside cold reads.
const REPLICA_WRITER_RATES = (env.BENCH_REPLICA_WRITER_RATES ?? '0,50,200').split(',').map(Number);
const REPLICA_LAG_SAMPLE_MS = Number(env.BENCH_REPLICA_LAG_SAMPLE_MS ?? 200);
// Fewer read connections than the throughput rounds: 32 cold readers take both cores from the writer.
const REPLICA_LAG_READS: LoadSettings = {
  connections: Number(env.BENCH_REPLICA_LAG_CONNECTIONS ?? 8),
  durationSeconds: LOAD.durationSeconds,
};
const SNAPSHOT_FILE = WriteTargets.snapshotFile(DATABASE_URL);
// Trial runs can write their reports elsewhere than the committed ones.
const RESULTS_DIR = env.BENCH_RESULTS_DIR ?? fileURLToPath(new URL('results', import.meta.url));
// For the report and the unseeded-database message: a password in the URL is masked.
const SEED_COMMAND = `DATABASE_URL=${DATABASE_URL.replace(/(\/\/[^:@/]*):[^@/]*@/, '$1:***@')} npm run seed -- --count 1000000 --seed 1 --reset`;

const root = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
const prefix = `farmlokal-bench-${Date.now().toString(36)}:`;
const secret = randomBytes(24).toString('base64url');
const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
const knex = await createKnex({ DATABASE_URL, SQLITE_FILE: ':memory:' });
const redis = createClient({ url: REDIS_URL });
await redis.connect();
const running: RunningProcess[] = [];
let restoreBufferPool: number | undefined;
const scenarios: ScenarioResult[] = [];
const noise = new Map<string, LoadResult>();
let adversarial: LoadResult | undefined;
let mixedRows: readonly MixedRow[] = [];
let catalogueRestored: boolean | undefined;
let hostileCorpusSize: number;
/** SELECT statements each server of the replica pair ran during each replica scenario (all rounds). */
const replicaSelects = new Map<string, { primary: number; replica: number }>();
let replicaLagRows: readonly ReplicaLagRow[] = [];
/** Scenario names, as the report shows them. */
const NAMES = {
  redisCeiling: 'ceiling: bare Koa + Redis GET',
  cached: 'cached (hot first pages)',
  redisCeilingOne: 'ceiling: bare Koa + Redis GET, 1 worker',
  cachedOne: 'cached (hot first pages), WORKERS=1',
  cachedNoisy: `cached (hot first pages) + ${NOISY_CLIENTS} adversarial clients`,
  keysetCeiling: 'ceiling: raw mysql2 keyset query',
  cold: 'cold (random cursors, sorts, filters)',
  coldNoisy: `cold (random cursors, sorts, filters) + ${NOISY_CLIENTS} adversarial clients`,
  plain: 'reference: plain Express + mysql2, cold',
  adversarial: `adversarial search (${ADVERSARIAL.connections} connections)`,
  primaryAlone: `replica pair (${REPLICA_PRODUCTS.toLocaleString('en-US')} products): cold, primary alone`,
  withReplica: `replica pair (${REPLICA_PRODUCTS.toLocaleString('en-US')} products): cold, reads from the replica`,
} as const;
/** req/s of every round of each scenario, in order: round i of a scenario ran right after round i of its ceiling. */
const roundRates = new Map<string, number[]>();

try {
  const products = await countProducts();
  if (await WriteTargets.restoreLeftovers(knex, SNAPSHOT_FILE)) log(`restored the products an earlier run left changed (${SNAPSHOT_FILE})`);
  if (BUFFER_POOL_MB !== undefined) restoreBufferPool = await resizeBufferPool(BUFFER_POOL_MB * 1024 * 1024);
  const memory = await bufferPoolFit();
  log(memory.line);
  if (memory.fits) await warmBufferPool();
  const loadBefore = loadavg()[0].toFixed(2);
  const plans = new RequestPlans(knex, secret);
  log(`building request plans over ${products.toLocaleString('en-US')} products`);
  const quietCold = SCENARIOS.has('cold') || SCENARIOS.has('noisy');
  const quietCached = SCENARIOS.has('cached') || SCENARIOS.has('noisy');
  const [warmListings = [], ...pools] = quietCold ? await plans.randomListings(1 + 3 * ROUNDS, UNIQUE_REQUESTS, 1) : [];
  const toService = (l: Listing) => plans.servicePath(l);
  const corpus = SCENARIOS.has('adversarial') || SCENARIOS.has('noisy') ? await adversarialCorpus(knex) : [];
  const middle = corpus.length > 0 ? await plans.middleValues() : undefined;
  hostileCorpusSize = corpus.length;
  let hostileRequests = 0;
  const hostile = () => plans.uniquePath(corpus[hostileRequests % corpus.length], ++hostileRequests, middle!);

  const serviceEnv = (workers: number) => ({
    DATABASE_URL,
    REDIS_URL,
    REDIS_KEY_PREFIX: prefix,
    WORKERS: String(workers),
    DATABASE_POOL_SIZE: String(POOL_SIZE),
    HOST: '127.0.0.1',
    // BENCH_SERVICE_LOG (see processes.ts): the access lines are wanted too, at a cost.
    LOG_LEVEL: env.BENCH_SERVICE_LOG ? 'info' : 'warn',
    CURSOR_SECRET: secret,
    RATE_LIMIT_ENABLED: 'false',
    WEBHOOK_SECRETS: webhookSecret,
    WEBHOOK_REGISTER_ON_START: 'false',
  });
  const service = await start('service', 'src/infrastructure/main.ts', serviceEnv(WORKERS), '/livez');
  const hot = RequestPlans.hotListings().map((l) => plans.servicePath(l));
  const bodyKey = `${prefix}ceiling:page`;
  await redis.set(bodyKey, await (await fetch(service.url + hot[0])).text());
  const cached = SCENARIOS.has('cached');
  const cold = SCENARIOS.has('cold');
  const redisCeiling = cached
    ? await start(
        'bare Koa + Redis',
        'bench/servers/redis-ceiling-server.ts',
        { REDIS_URL, WORKERS: String(WORKERS), BODY_KEY: bodyKey },
        '/',
      )
    : undefined;
  const singleService = cached ? await start('service, 1 worker', 'src/infrastructure/main.ts', serviceEnv(1), '/livez') : undefined;
  const singleCeiling = cached
    ? await start(
        'bare Koa + Redis, 1 worker',
        'bench/servers/redis-ceiling-server.ts',
        { REDIS_URL, WORKERS: '1', BODY_KEY: bodyKey },
        '/',
      )
    : undefined;
  const keysetCeiling = cold
    ? await start(
        'raw mysql2 keyset',
        'bench/servers/keyset-ceiling-server.ts',
        { DATABASE_URL, WORKERS: String(WORKERS), POOL_SIZE: String(POOL_SIZE) },
        '/keyset?sort=price&order=asc&limit=1&value=0&id=0',
      )
    : undefined;
  const plainExpress = cold
    ? await start(
        'plain Express + mysql2',
        'bench/servers/express-plain-server.ts',
        { DATABASE_URL, WORKERS: String(WORKERS), POOL_SIZE: String(POOL_SIZE) },
        '/api/products?limit=1',
      )
    : undefined;
  for (const target of [service, singleService]) if (target) for (const path of [...hot, ...hot]) await fetch(target.url + path);

  for (let round = 0; round < ROUNDS && (quietCold || quietCached); round += 1) {
    const [keysetPool, coldPool, plainPool] = [pools[3 * round], pools[3 * round + 1], pools[3 * round + 2]];
    if (redisCeiling)
      await measure(
        NAMES.redisCeiling,
        redisCeiling,
        () => '/',
        () => '/',
      );
    if (quietCached)
      await measure(NAMES.cached, service, cycle(hot), cycle(hot), {
        ceiling: cached ? NAMES.redisCeiling : undefined,
        expectedCache: ['HIT', 'STALE'],
      });
    // Each noisy round right after its quiet round, so the two share the machine's state.
    if (SCENARIOS.has('noisy'))
      await measure(NAMES.cachedNoisy, service, cycle(hot), cycle(hot), {
        ceiling: NAMES.cached,
        expectedCache: ['HIT', 'STALE'],
        noise: hostile,
      });
    if (singleCeiling && singleService) {
      await measure(
        NAMES.redisCeilingOne,
        singleCeiling,
        () => '/',
        () => '/',
      );
      await measure(NAMES.cachedOne, singleService, cycle(hot), cycle(hot), {
        ceiling: NAMES.redisCeilingOne,
        expectedCache: ['HIT', 'STALE'],
      });
    }
    if (keysetCeiling)
      await measure(
        NAMES.keysetCeiling,
        keysetCeiling,
        paths(warmListings, (l) => RequestPlans.keysetPath(l)),
        paths(keysetPool, (l) => RequestPlans.keysetPath(l)),
      );
    if (quietCold)
      await measure(NAMES.cold, service, paths(warmListings.slice().reverse(), toService), paths(coldPool, toService), {
        ceiling: cold ? NAMES.keysetCeiling : undefined,
        expectedCache: ['MISS'],
      });
    // The keyset ceiling's cursors: the service has never seen them, so every one misses its cache too.
    if (SCENARIOS.has('noisy'))
      await measure(NAMES.coldNoisy, service, paths(warmListings.slice().reverse(), toService), paths(keysetPool, toService), {
        ceiling: NAMES.cold,
        expectedCache: ['MISS'],
        noise: hostile,
      });
    if (plainExpress)
      await measure(
        NAMES.plain,
        plainExpress,
        paths(warmListings, (l) => RequestPlans.plainPath(l)),
        paths(plainPool, (l) => RequestPlans.plainPath(l)),
        {
          ceiling: NAMES.keysetCeiling,
        },
      );
  }
  for (const process of [redisCeiling, singleService, singleCeiling, keysetCeiling, plainExpress]) if (process) await stop(process);

  if (cold) {
    for (const [name, page, q] of [
      ['deep: page 1', 1, undefined],
      [`deep: page ${DEEP_PAGE.toLocaleString('en-US')}`, DEEP_PAGE, undefined],
      [`search: rare word "${RARE_WORD}"`, 1, RARE_WORD],
      [`search: common word "${COMMON_WORD}"`, 1, COMMON_WORD],
    ] as const) {
      const listings = await plans.newestFirstPage(page, UNIQUE_REQUESTS, q);
      const split = WARMUP.durationSeconds * 6_000;
      await measure(name, service, paths(listings.slice(0, split), toService), paths(listings.slice(split), toService), {
        ceiling: NAMES.keysetCeiling,
        expectedCache: ['MISS'],
      });
    }
  }
  if (SCENARIOS.has('adversarial')) {
    log(`adversarial search: ${corpus.length} queries, ${ADVERSARIAL.connections} connections`);
    adversarial = await drive(service.url, hostile, ADVERSARIAL);
    scenarios.push({ name: NAMES.adversarial, result: adversarial, expectedCache: ['MISS'] });
    log(
      `adversarial search: ${Math.round(adversarial.requestsPerSecond)} req/s, p99 ${adversarial.p99.toFixed(1)} ms, max ${adversarial.max.toFixed(1)} ms, ${JSON.stringify(adversarial.statuses)}`,
    );
  }
  if (SCENARIOS.has('mixed')) {
    const mix = await ReadMix.build(knex, 13);
    ({ rows: mixedRows, catalogueRestored } = await runMixed(
      knex,
      service.url,
      mix,
      plans,
      {
        rates: MIXED_RATES,
        rounds: MIXED_ROUNDS,
        reads: MIXED,
        warmupSeconds: WARMUP.durationSeconds,
        leadInSeconds: WARMUP.durationSeconds,
        targets: MIXED_TARGETS,
        samplesPerSecond: FRESHNESS_SAMPLES_PER_SECOND,
        webhookSecret,
        snapshotFile: SNAPSHOT_FILE,
      },
      log,
    ));
  }
  await stop(service);
  if (SCENARIOS.has('replica')) await measureReplica(serviceEnv);

  const report = renderReport(
    {
      title: `Catalogue benchmark, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      environment: [
        `${products.toLocaleString('en-US')} products in MariaDB (${DATABASE_URL.replace(/\/\/[^@]*@/, '//')}), Redis ${REDIS_URL}`,
        `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, commit ${commit()}; 1-minute load average ${loadBefore} before, ${loadavg()[0].toFixed(2)} after`,
        `scenarios: ${[...SCENARIOS].join(', ')}; autocannon, ${LOAD.connections} connections, ${LOAD.durationSeconds} s per scenario after a ${WARMUP.durationSeconds} s warm-up; every process on this one machine; each ceiling and its scenario alternated ${ROUNDS} times; the table shows the best run of each, throughput targets are judged on the median of the per-round ratios`,
        memory.line,
        `service: WORKERS=${WORKERS} (and a second one with WORKERS=1 for the single-process cached rows), DATABASE_POOL_SIZE=${POOL_SIZE}, LOG_LEVEL=warn, RATE_LIMIT_ENABLED=false (one client address would exhaust the public budget), Redis cache, fresh CURSOR_SECRET and WEBHOOK_SECRETS`,
      ],
      commands: [
        SEED_COMMAND,
        [
          ...Object.entries(env)
            .filter(([k]) => k.startsWith('BENCH_'))
            .map(([k, v]) => `${k}=${v}`),
          'npm run bench',
        ].join(' '),
      ],
      notes: [
        "Latency percentiles are over every response of the measured window (not autocannon's per-second buckets); req/s is responses / duration.",
        ...(SCENARIOS.has('cold') || SCENARIOS.has('cached') || SCENARIOS.has('noisy')
          ? [
              'cold, deep and search send a distinct signed cursor with every request, so each one is a cache miss (X-Cache counts prove it); cached cycles 24 first pages warmed beforehand, on the WORKERS service and on a second service process with WORKERS=1, each against the bare Koa + Redis ceiling on as many processes.',
              `deep sends cursors that land on page 1 or page ${DEEP_PAGE.toLocaleString('en-US')} of the newest-first listing (position: that page's first created_at, an id beyond every id).`,
              'Both ceilings and the plain Express reference run on the same number of worker processes; the keyset ceiling and the reference use a mysql2 pool of the same size per worker as the service.',
              'The plain Express reference (bench/servers/express-plain-server.ts) runs the same keyset SELECT with an unsigned base64 cursor, maps rows to the public product shape and sends JSON: no validation, cache, signatures, ETag or middleware.',
              'deep and search are compared with the keyset ceiling measured on random cursors (their own request mix differs: one page, or the search); cold and cached are the like-for-like ratios.',
            ]
          : []),
        ...(SCENARIOS.has('adversarial') || SCENARIOS.has('noisy')
          ? [
              `adversarial: the corpus of bench/adversarial-corpus.ts (${hostileCorpusSize} queries generated from the catalogue), each request with a signed cursor of its own placed before every product (deep ones: at the middle value of their sort), so each is a distinct cache key for the same rows and reaches the database; ${ADVERSARIAL.connections} connections, no warm-up. The noisy rows run the same corpus on ${NOISY_CLIENTS} more connections beside the scenario, through its warm-up and window, and are compared with the quiet scenario of the same round.`,
            ]
          : []),
        ...(replicaLagRows.length > 0
          ? [
              `replica lag: after the throughput rounds, the service with a replica gets cold listings (random signed cursors, no warm-up) at ${REPLICA_LAG_READS.connections} connections for ${REPLICA_LAG_READS.durationSeconds} s per row while bench/webhook-writer.ts sends it signed webhooks at the row's rate (as in mixed: stock and price changes to ${MIXED_TARGETS.toLocaleString('en-US')} products of the pair's catalogue, BENCH- upserts, freshness samples; W=0: the reads alone). Every ${REPLICA_LAG_SAMPLE_MS} ms (later when a sample takes longer) the pair is sampled: transactions behind (the primary's @@gtid_binlog_pos minus the replica's @@gtid_slave_pos, read at once), Seconds_Behind_Master (whole seconds), and the catch-up time, from the primary's position arriving until MASTER_GTID_WAIT on the replica returns for it (one round trip included): the wait a routed read would make. Reads on the replica and on the primary (with the router's reason) are the service's database_replica_reads_total over the row. The replica is caught up before each row; the written products are restored afterwards.`,
            ]
          : []),
        ...(SCENARIOS.has('mixed')
          ? [
              `mixed: the writer's rates in turn, ${MIXED_ROUNDS} rounds (each rate's ratio is to its own round's W=0 row; targets on the median of the rounds), ${MIXED.durationSeconds} s per row at ${MIXED.connections} connections after a ${WARMUP.durationSeconds} s warm-up of the read mix, each window after a ${WARMUP.durationSeconds} s lead-in of the same reads with the writer already sending (bench/read-mix.ts: ~300 URLs, Zipf weights 1/rank over a seeded shuffle: first pages of every category, sort and order, price bands, searches, category pairs, 100 product pages). The writer (bench/webhook-writer.ts, a process of its own) sends signed webhooks open loop: 80% stock and 15% price changes to ${MIXED_TARGETS.toLocaleString('en-US')} random products, 5% upserts of BENCH- products. Freshness: for about ${FRESHNESS_SAMPLES_PER_SECOND} of its stock and price changes a second, both pages are first made X-Cache HIT (the product page, and a listing page of its category that holds it: newest first, from a cursor just before it), then polled every 10 ms on new connections from the webhook's 2xx until ${4} answers in a row show the new value. The hit ratio counts HIT and STALE answers over all; statements/s are MariaDB's Questions (and Com_select) over the window, server-wide. The written products are restored afterwards; BENCH- products and the bench's inbox rows are deleted.`,
            ]
          : []),
      ],
    },
    scenarios,
    targets(),
    [
      ...(mixedRows.length > 0 ? [renderMixedTable(mixedRows)] : []),
      ...(replicaLagRows.length > 0 ? [renderReplicaLagTable(replicaLagRows)] : []),
      ...(adversarial || noise.size > 0
        ? [
            renderAdversarialTable(
              NAMES.adversarial,
              adversarial,
              [...noise].map(([name, result]) => ({ name: `${NOISY_CLIENTS} clients beside ${name}`, result })),
            ),
          ]
        : []),
    ],
  );
  process.stdout.write(`\n${report}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, 'latest.md'), report);
  writeFileSync(join(RESULTS_DIR, `${new Date().toISOString().slice(0, 16).replace(/[T:]/g, '-')}.md`), report);
} finally {
  for (const process of running) await process.stop();
  if (restoreBufferPool !== undefined) await resizeBufferPool(restoreBufferPool);
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
  options: Pick<ScenarioResult, 'ceiling' | 'expectedCache'> & { readonly noise?: () => string } = {},
) {
  const { noise: noisePath, ...shown } = options;
  // The neighbours start with the warm-up and end after the window, so the whole window shares the machine with them.
  const neighbours = noisePath
    ? drive(target.url, noisePath, {
        connections: NOISY_CLIENTS,
        durationSeconds: WARMUP.durationSeconds + LOAD.durationSeconds + 2,
        timeoutSeconds: 60,
      })
    : undefined;
  log(`${name}: warm-up`);
  await drive(target.url, warmup, WARMUP);
  await delay(500);
  const result = await drive(target.url, measured, LOAD);
  if (neighbours) noise.set(name.replace(` + ${NOISY_CLIENTS} adversarial clients`, ''), await neighbours);
  log(`${name}: ${Math.round(result.requestsPerSecond)} req/s, p95 ${result.p95.toFixed(1)} ms, ${JSON.stringify(result.xCache)}`);
  roundRates.set(name, [...(roundRates.get(name) ?? []), result.requestsPerSecond]);
  const earlier = scenarios.findIndex((s) => s.name === name);
  if (earlier === -1) scenarios.push({ name, result, ...shown });
  else if (result.requestsPerSecond > scenarios[earlier].result.requestsPerSecond) scenarios[earlier] = { name, result, ...shown };
}

/** Cold listings on a private primary alone, then with DATABASE_READ_URLS naming its replica, alternating. */
async function measureReplica(serviceEnv: (workers: number) => Record<string, string>) {
  const pair = await ReplicaPair.start(REPLICA_PRODUCTS, log);
  const primaryKnex = await createKnex({ DATABASE_URL: pair.primaryUrl, SQLITE_FILE: ':memory:' });
  try {
    const plans = new RequestPlans(primaryKnex, secret);
    const [warm, ...pools] = await plans.randomListings(1 + 2 * ROUNDS, Math.floor(REPLICA_PRODUCTS / (1 + 2 * ROUNDS)), 3);
    const alone = await start(
      'service on the primary alone',
      'src/infrastructure/main.ts',
      { ...serviceEnv(WORKERS), DATABASE_URL: pair.primaryUrl, REDIS_KEY_PREFIX: `${prefix}primary:` },
      '/livez',
    );
    const routed = await start(
      'service with a replica',
      'src/infrastructure/main.ts',
      { ...serviceEnv(WORKERS), DATABASE_URL: pair.primaryUrl, DATABASE_READ_URLS: pair.replicaUrl, REDIS_KEY_PREFIX: `${prefix}replica:` },
      '/livez',
    );
    const toService = (l: Listing) => plans.servicePath(l);
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [name, target, pool, ceiling] of [
        [NAMES.primaryAlone, alone, pools[2 * round], undefined],
        [NAMES.withReplica, routed, pools[2 * round + 1], NAMES.primaryAlone],
      ] as const) {
        const before = await pair.selects();
        await measure(name, target, paths(warm, toService), paths(pool, toService), { ceiling, expectedCache: ['MISS'] });
        const after = await pair.selects();
        const sum = replicaSelects.get(name) ?? { primary: 0, replica: 0 };
        replicaSelects.set(name, {
          primary: sum.primary + after.primary - before.primary,
          replica: sum.replica + after.replica - before.replica,
        });
      }
    }
    await stop(alone);
    const lagPools = await plans.randomListings(REPLICA_WRITER_RATES.length, LOAD.durationSeconds * 2_000, 5);
    replicaLagRows = await measureReplicaLag(
      pair,
      primaryKnex,
      routed.url,
      plans,
      lagPools,
      {
        rates: REPLICA_WRITER_RATES,
        reads: REPLICA_LAG_READS,
        sampleEveryMs: REPLICA_LAG_SAMPLE_MS,
        writeTargets: MIXED_TARGETS,
        freshnessSamplesPerSecond: FRESHNESS_SAMPLES_PER_SECOND,
        webhookSecret,
      },
      log,
    );
    await stop(routed);
  } finally {
    await primaryKnex.destroy();
    await pair.stop();
  }
}

function paths(listings: readonly Listing[], toPath: (listing: Listing) => string) {
  const all = listings.map(toPath);
  return cycle(all);
}

function cycle(all: readonly string[]) {
  let next = 0;
  return () => all[next++ % all.length];
}

function targets(): Target[] {
  const get = (name: string): LoadResult | undefined => scenarios.find((s) => s.name === name)?.result;
  const list: Target[] = [];
  const cold = get(NAMES.cold);
  const plain = get(NAMES.plain);
  if (cold && plain && roundRates.has(NAMES.keysetCeiling)) {
    const first = get('deep: page 1')!;
    const deep = get(`deep: page ${DEEP_PAGE.toLocaleString('en-US')}`)!;
    const rare = get(`search: rare word "${RARE_WORD}"`)!;
    const common = get(`search: common word "${COMMON_WORD}"`)!;
    const coldVsKeyset = pairedRatios(NAMES.cold, NAMES.keysetCeiling);
    const coldVsPlain = pairedRatios(NAMES.cold, NAMES.plain);
    list.push(
      {
        description: '#3 cold throughput >= 0.8x the raw keyset ceiling (median of the rounds)',
        actual: coldVsKeyset.text,
        met: coldVsKeyset.median >= 0.8,
      },
      {
        description: '#3 cold throughput > the plain Express + mysql2 implementation, same run (median of the rounds)',
        actual: `${Math.round(cold.requestsPerSecond)} vs ${Math.round(plain.requestsPerSecond)} req/s at best; ${coldVsPlain.text}`,
        met: coldVsPlain.median > 1,
      },
      {
        description: "#3 cold throughput > 2,600 req/s (the issue's figure for that implementation)",
        actual: `${Math.round(cold.requestsPerSecond)} req/s`,
        met: cold.requestsPerSecond > 2_600,
      },
      { description: '#3 cold P95 <= 20 ms', actual: `${cold.p95.toFixed(1)} ms`, met: cold.p95 <= 20 },
      {
        description: `#3 deep (page ${DEEP_PAGE.toLocaleString('en-US')}) / first-page latency <= 1.5 (p50 and p95)`,
        actual: `p50 ${(deep.p50 / first.p50).toFixed(2)}, p95 ${(deep.p95 / first.p95).toFixed(2)}`,
        met: deep.p50 <= 1.5 * first.p50 && deep.p95 <= 1.5 * first.p95,
      },
      { description: `#3 search P95 <= 100 ms, rare word "${RARE_WORD}"`, actual: `${rare.p95.toFixed(1)} ms`, met: rare.p95 <= 100 },
      {
        description: `#3 search P95 <= 100 ms, common word "${COMMON_WORD}"`,
        actual: `${common.p95.toFixed(1)} ms`,
        met: common.p95 <= 100,
      },
    );
  }
  if (roundRates.has(NAMES.redisCeiling)) {
    const cachedVsKoa = pairedRatios(NAMES.cached, NAMES.redisCeiling);
    list.push({
      description: `#3 cached throughput >= 0.8x the bare Koa + Redis ceiling, WORKERS=${WORKERS} (median of the rounds)`,
      actual: cachedVsKoa.text,
      met: cachedVsKoa.median >= 0.8,
    });
  }
  if (roundRates.has(NAMES.redisCeilingOne)) {
    const single = pairedRatios(NAMES.cachedOne, NAMES.redisCeilingOne);
    list.push({
      description: '#13 cached throughput >= 0.8x the bare Koa + Redis ceiling, WORKERS=1 both (median of the rounds)',
      actual: single.text,
      met: single.median >= 0.8,
    });
  }
  for (const [noisy, quiet] of [
    [NAMES.cachedNoisy, NAMES.cached],
    [NAMES.coldNoisy, NAMES.cold],
  ] as const) {
    if (!roundRates.has(noisy)) continue;
    const ratio = pairedRatios(noisy, quiet);
    list.push({
      description: `#14 ${quiet.split(' ')[0]} throughput with ${NOISY_CLIENTS} adversarial clients >= 0.8x without them (median of the rounds)`,
      actual: ratio.text,
      met: ratio.median >= 0.8,
    });
  }
  if (adversarial) {
    const failed = Object.entries(adversarial.statuses).filter(([status]) => !status.startsWith('2'));
    list.push(
      {
        description: `#14 adversarial search max <= 1 s (${ADVERSARIAL.connections} connections)`,
        actual: `${adversarial.max.toFixed(1)} ms${adversarial.errors ? `, ${adversarial.errors} unanswered within ${ADVERSARIAL.timeoutSeconds} s` : ''}`,
        met: adversarial.max <= 1_000 && adversarial.errors === 0,
      },
      { description: '#14 adversarial search p99 <= 250 ms', actual: `${adversarial.p99.toFixed(1)} ms`, met: adversarial.p99 <= 250 },
      {
        description: '#14 adversarial search: every answer 2xx',
        actual: failed.length ? failed.map(([s, n]) => `${s}: ${n}`).join(', ') : `all ${adversarial.requests}`,
        met: failed.length === 0 && adversarial.errors === 0,
      },
    );
  }
  if (roundRates.has(NAMES.withReplica)) {
    const ratio = pairedRatios(NAMES.withReplica, NAMES.primaryAlone);
    const selects = (name: string) => {
      const { primary, replica } = replicaSelects.get(name)!;
      return `${primary.toLocaleString('en-US')} on the primary, ${replica.toLocaleString('en-US')} on the replica`;
    };
    const routed = replicaSelects.get(NAMES.withReplica)!;
    list.push({
      description:
        '#17 cold listings read from the replica when one is configured (throughput vs the primary alone is reported, not judged: all three servers share these cores)',
      actual: `${ratio.text}; SELECTs with the replica: ${selects(NAMES.withReplica)}; without: ${selects(NAMES.primaryAlone)}`,
      met: routed.replica > routed.primary / 2,
    });
  }
  list.push(...mixedTargets(mixedRows));
  if (catalogueRestored !== undefined) {
    list.push({
      description: 'mixed: the catalogue is as before the writer (CHECKSUM TABLE products, after the restore)',
      actual: catalogueRestored ? 'equal' : 'differs',
      met: catalogueRestored,
    });
  }
  const checked = scenarios.filter((s) => s.expectedCache);
  if (checked.length > 0) {
    list.push({
      description: 'every uncached request missed the cache; every cached one was answered from it (HIT, or STALE while it was rebuilt)',
      actual: checked.map((s) => `${s.name}: ${JSON.stringify(s.result.xCache)}`).join('; '),
      met: checked.every((s) => Object.keys(s.result.xCache).every((k) => s.expectedCache!.includes(k as 'HIT'))),
    });
  }
  return list;
}

/**
 * Throughput ratios of `scenario` to `reference` round by round (each pair ran back to back, so a
 * burst of load from elsewhere hits both), their median, which decides the target, and the ratio
 * of the best runs, which the scenario table shows.
 */
function pairedRatios(scenario: string, reference: string) {
  const rates = (name: string) => roundRates.get(name)!;
  const [ours, theirs] = [rates(scenario), rates(reference)];
  const ratios = ours.map((rate, i) => rate / theirs[i]);
  const middle = median(ratios);
  const best = Math.max(...ours) / Math.max(...theirs);
  return {
    median: middle,
    text: `median ${middle.toFixed(2)}x (rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')}; best runs ${best.toFixed(2)}x)`,
  };
}

/** Whether the products table and its indexes fit in MariaDB's buffer pool, and a line saying so. */
async function bufferPoolFit() {
  const [[pool]] = (await knex.raw('SELECT @@innodb_buffer_pool_size AS bytes')) as [[{ bytes: number }]];
  const table = (await knex('information_schema.TABLES')
    .select(knex.raw('DATA_LENGTH + INDEX_LENGTH AS bytes'))
    .whereRaw('TABLE_SCHEMA = DATABASE()')
    .andWhere('TABLE_NAME', 'products')
    .first()) as { bytes: number };
  const mb = (bytes: number) => `${Math.round(Number(bytes) / 2 ** 20)} MB`;
  const fits = Number(pool.bytes) > 1.2 * Number(table.bytes);
  const line =
    `MariaDB innodb_buffer_pool_size ${mb(pool.bytes)}${BUFFER_POOL_MB ? ' (BENCH_INNODB_BUFFER_POOL_MB, restored after the run)' : ''}, ` +
    `products table and indexes ${mb(table.bytes)}: ${fits ? 'in memory (loaded before the run)' : '**does not fit: uncached scenarios that visit the whole catalogue read from disk**'}`;
  return { fits, line };
}

/** Reads the products table and every index of it once, so no scenario pays for first touches. */
async function warmBufferPool() {
  const indexes = (await knex('information_schema.STATISTICS')
    .distinct('INDEX_NAME')
    .whereRaw('TABLE_SCHEMA = DATABASE()')
    .andWhere('TABLE_NAME', 'products')) as { INDEX_NAME: string }[];
  for (const { INDEX_NAME } of indexes) await knex.raw('SELECT COUNT(*) FROM products FORCE INDEX (??)', [INDEX_NAME]);
  await knex.raw('SELECT SUM(LENGTH(description)) FROM products FORCE INDEX (PRIMARY)');
}

async function resizeBufferPool(bytes: number): Promise<number> {
  const [[before]] = (await knex.raw('SELECT @@innodb_buffer_pool_size AS bytes')) as [[{ bytes: number }]];
  await knex.raw('SET GLOBAL innodb_buffer_pool_size = ?', [bytes]);
  for (let i = 0; i < 600; i += 1) {
    const [[status]] = (await knex.raw("SHOW STATUS LIKE 'Innodb_buffer_pool_resize_status'")) as [[{ Value: string }]];
    if (!status?.Value || /complet/i.test(status.Value)) break;
    await delay(100);
  }
  log(`innodb_buffer_pool_size ${Number(before.bytes)} -> ${bytes}`);
  return Number(before.bytes);
}

function commit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root('.') })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

function log(message: string) {
  process.stderr.write(`[bench] ${message}\n`);
}

/** The seeded catalogue's size; an unseeded database (no table, or no rows) says how to seed it. */
async function countProducts(): Promise<number> {
  const seedFirst = `no products in ${DATABASE_URL}; seed it first: ${SEED_COMMAND}`;
  if (!(await knex.schema.hasTable('products'))) throw new Error(seedFirst);
  const products = Number((await knex('products').count({ n: '*' }).first())?.n ?? 0);
  if (products === 0) throw new Error(seedFirst);
  return products;
}
