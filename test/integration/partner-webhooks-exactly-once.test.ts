import { expect } from 'chai';
import type { Knex } from 'knex';
import { parsePartnerEvent } from '../../src/adapters/http/partner-event-json.js';
import { InMemoryProductEventStore } from '../../src/adapters/in-memory/in-memory-product-event-store.js';
import { InMemoryProductRepository } from '../../src/adapters/in-memory/in-memory-product-repository.js';
import type { SingleRedisClient } from '../../src/adapters/redis/redis-client.js';
import { migrateLatest } from '../../src/infrastructure/migrate.js';
import { productHistory, type WirePartnerEvent } from '../../tools/mock-partner/partner-event-wire.js';
import { webhookHeaders } from '../../tools/mock-partner/sign-webhook.js';
import { seeded, shuffled } from '../support/partner-events.js';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.js';
import { createTestDatabase, createTestRedis, REDIS_URL, type TestDatabase, type TestRedis } from '../support/services.js';
import { describeWith } from '../support/backends.js';

const SECRET = 'whsec_c2VydmljZS1wcm9jZXNzLXRlc3Qtc2VjcmV0';
const LEASE_MS = 1_500;

interface Tally {
  readonly statuses: Map<number, number>;
  readonly outcomes: Map<string, number>;
  networkErrors: number;
}

const tally = (): Tally => ({ statuses: new Map(), outcomes: new Map(), networkErrors: 0 });
const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);
const count = <K>(map: Map<K, number>, key: K) => map.get(key) ?? 0;

/** Sends one delivery as a partner would: again after Retry-After on 409, until it is answered otherwise. */
async function deliver(url: string, event: WirePartnerEvent, into: Tally): Promise<string | undefined> {
  const body = JSON.stringify(event);
  const messageId = `msg_${event.id}`;
  for (let attempt = 0; attempt < 20; attempt += 1) {
    let response: Response;
    try {
      response = await fetch(`${url}/api/webhooks/partner`, {
        method: 'POST',
        headers: webhookHeaders([SECRET], body, { id: messageId }),
        body,
      });
    } catch {
      into.networkErrors += 1;
      return undefined;
    }
    bump(into.statuses, response.status);
    const answer = (await response.json()) as { status?: string };
    if (response.status !== 409) {
      if (answer.status) bump(into.outcomes, answer.status);
      return answer.status;
    }
    await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after') ?? 1) * 1000));
  }
  throw new Error(`event ${event.id} was still in progress after 20 attempts`);
}

/** `deliveries` over `urls` in turn, `concurrency` at a time; `midway` runs once, after half are answered. */
async function deliverAll(
  urls: readonly string[],
  deliveries: readonly WirePartnerEvent[],
  concurrency: number,
  midway?: () => Promise<void>,
) {
  const result = tally();
  let next = 0;
  let answered = 0;
  let midwayRun: Promise<void> | undefined;
  const worker = async () => {
    while (next < deliveries.length) {
      const index = next++;
      await deliver(urls[index % urls.length], deliveries[index], result);
      answered += 1;
      if (midway && answered >= deliveries.length / 2) midwayRun ??= midway();
      await midwayRun;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return result;
}

/** The state each product must end in: its history applied once, in version order. */
async function expectedProducts(histories: readonly WirePartnerEvent[][]) {
  const products = new InMemoryProductRepository();
  const store = new InMemoryProductEventStore(products);
  for (const history of histories) {
    for (const event of history) await store.apply(parsePartnerEvent(Buffer.from(JSON.stringify(event))));
  }
  return products;
}

async function expectCatalogueMatches(knex: Knex, histories: readonly WirePartnerEvent[][]) {
  const expected = await expectedProducts(histories);
  const skus = histories.map((h) => h[0].data.sku as string);
  const rows = await knex('products').select('sku', 'name', 'price_paise', 'stock', 'version', 'deleted').whereIn('sku', skus);
  expect(rows).to.have.length(skus.length);
  for (const row of rows) {
    const stored = expected.storedBySku(row.sku)!;
    const highest = histories.find((h) => h[0].data.sku === row.sku)!.length;
    const actual = {
      name: row.name,
      pricePaise: Number(row.price_paise),
      stock: row.stock,
      version: Number(row.version),
      deleted: Boolean(row.deleted),
    };
    const want = {
      name: stored.product.name,
      pricePaise: stored.product.pricePaise,
      stock: stored.product.stock,
      version: highest,
      deleted: stored.deleted,
    };
    expect(actual, row.sku).to.deep.equal(want);
  }
}

async function inboxRows(knex: Knex, ids: readonly string[]) {
  const rows = await knex('partner_event_inbox').count({ n: '*' }).whereIn('event_id', ids).first();
  return Number(rows?.n);
}

async function deleteKeys(client: SingleRedisClient, prefix: string) {
  let deleted = 0;
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1_000 })) {
    if (keys.length > 0) deleted += await client.del(keys);
  }
  return deleted;
}

/** `products` histories of 7, 11 or 12 events (some end deleted), ids prefixed so runs do not meet. */
function histories(prefix: string, products: number) {
  return Array.from({ length: products }, (_, i) => productHistory(`${prefix}-${i}`, [7, 11, 12][i % 3]));
}

describeWith(['mysql', 'redis'], 'Partner webhooks across two service processes sharing MariaDB and Redis', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let redis: TestRedis;
  let processes: ServiceProcess[] = [];

  before(async () => {
    [database, redis] = await Promise.all([createTestDatabase('farmlokal_webhooks'), createTestRedis('webhooks')]);
    await migrateLatest(database.knex);
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: redis.prefix,
      WEBHOOK_SECRETS: SECRET,
      WEBHOOK_CLAIM_LEASE_MS: String(LEASE_MS),
      WEBHOOK_REGISTER_ON_START: 'false',
      MIGRATE_ON_START: 'false',
      SEED_DEMO: 'false',
      // One test client sends every delivery; the per-sender budget is tested in test/http/rate-limit.test.ts.
      RATE_LIMIT_ENABLED: 'false',
    };
    processes = await Promise.all([startServiceProcess(env), startServiceProcess(env)]);
  });

  after(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await Promise.all([database?.drop(), redis?.cleanup()]);
  });

  it('5,000 shuffled deliveries of 3,000 events at 50 at a time, when split over both processes, apply each event exactly once', async () => {
    const all = histories('P', 300);
    const events = all.flat();
    expect(events).to.have.length(3_000);
    const random = seeded(2026);
    const duplicates = Array.from({ length: 2_000 }, () => events[Math.floor(random() * events.length)]);
    const deliveries = shuffled([...events, ...duplicates], random);

    const result = await deliverAll(
      processes.map((p) => p.url),
      deliveries,
      50,
    );

    const statuses = Object.fromEntries(result.statuses);
    expect(result.networkErrors, 'network errors').to.equal(0);
    expect(
      Object.keys(statuses).filter((s) => s !== '200' && s !== '409'),
      JSON.stringify(statuses),
    ).to.deep.equal([]);
    expect(count(result.outcomes, 'duplicate'), 'deliveries answered duplicate').to.equal(2_000);
    expect(count(result.outcomes, 'applied') + count(result.outcomes, 'superseded'), 'first deliveries').to.equal(3_000);
    expect(
      await inboxRows(
        database.knex,
        events.map((e) => e.id),
      ),
      'inbox rows',
    ).to.equal(3_000);
    await expectCatalogueMatches(database.knex, all);
  });

  it('2,000 deliveries at 50 at a time, when 32 connections of cold catalogue reads run beside them, are never answered 503', async () => {
    const all = histories('R', 120);
    const events = all.flat();
    const random = seeded(14);
    const deliveries = shuffled([...events, ...shuffled(events, random).slice(0, 2_000 - events.length)], random);
    const reads = tally();
    let flooding = true;
    let page = 0;
    const reader = async (i: number) => {
      while (flooding) {
        // A new query string each time: every read misses the cache and goes to the database.
        page += 1;
        const response = await fetch(`${processes[i % 2].url}/api/products?limit=${1 + (page % 100)}&minPrice=${page}`).catch(
          () => undefined,
        );
        if (!response) {
          reads.networkErrors += 1;
          continue;
        }
        bump(reads.statuses, response.status);
        await response.arrayBuffer();
      }
    };
    const readers = Array.from({ length: 32 }, (_, i) => reader(i));
    const result = await deliverAll(
      processes.map((p) => p.url),
      deliveries,
      50,
    );
    flooding = false;
    await Promise.all(readers);

    expect(result.networkErrors).to.equal(0);
    expect(
      [...result.statuses.keys()].filter((s) => s !== 200 && s !== 409),
      JSON.stringify(Object.fromEntries(result.statuses)),
    ).to.deep.equal([]);
    expect(count(result.outcomes, 'applied') + count(result.outcomes, 'superseded')).to.equal(events.length);
    expect(count(reads.statuses, 200), `reads: ${JSON.stringify(Object.fromEntries(reads.statuses))}`).to.be.greaterThan(0);
    expect(
      [...reads.statuses.keys()].filter((s) => s !== 200 && s !== 503),
      'reads are answered or shed',
    ).to.deep.equal([]);
    await expectCatalogueMatches(database.knex, all);
  });

  it('deliveries, when Redis is flushed in the middle of a run and applied events come again, still apply each event exactly once', async () => {
    const all = histories('F', 90);
    const events = all.flat();
    const random = seeded(7);
    const everyEventOnce = shuffled(events, random);
    let flushed = 0;
    // Every event once, then (after the flush) 400 of them again: those can only be caught by the inbox.
    const deliveries = [...everyEventOnce, ...shuffled(events, random).slice(0, 400)];
    const result = await deliverAll(
      processes.map((p) => p.url),
      deliveries,
      50,
      async () => {
        flushed = await deleteKeys(redis.client, redis.prefix);
      },
    );

    expect(flushed, 'keys deleted under the test prefix').to.be.greaterThan(0);
    expect(result.networkErrors).to.equal(0);
    expect([...result.statuses.keys()].filter((s) => s !== 200 && s !== 409)).to.deep.equal([]);
    expect(count(result.outcomes, 'duplicate')).to.equal(400);
    expect(count(result.outcomes, 'applied') + count(result.outcomes, 'superseded')).to.equal(events.length);
    expect(
      await inboxRows(
        database.knex,
        events.map((e) => e.id),
      ),
    ).to.equal(events.length);
    await expectCatalogueMatches(database.knex, all);
  });

  it('a process, when killed while holding a claim, leaves the event to be applied exactly once after the lease', async () => {
    const [created, priceChange] = productHistory('KILL-1', 2);
    const [victim, survivor] = processes as [ServiceProcess, ServiceProcess];
    expect(await deliver(survivor.url, created, tally())).to.equal('applied');

    // Hold the product's row lock, so the victim claims the event and then waits inside its transaction.
    const blocker = await database.knex.transaction();
    await blocker('products').where('sku', 'KILL-1').forUpdate().first();
    const claimKey = `${redis.prefix}partner-event:${priceChange.id}`;
    const inFlight = deliver(victim.url, priceChange, tally());
    expect(await waitFor(async () => (await redis.client.get(claimKey))?.startsWith('processing:') ?? false), 'victim claims').to.equal(
      true,
    );
    await victim.kill();
    await blocker.rollback();
    expect(await inFlight, 'the killed process never answers').to.equal(undefined);

    const remaining = await redis.client.pTTL(claimKey);
    const retry = tally();
    expect(await deliver(survivor.url, priceChange, retry)).to.equal('applied');
    if (remaining > 300) expect(count(retry.statuses, 409), 'redelivery within the lease').to.be.greaterThan(0);
    expect(await inboxRows(database.knex, [priceChange.id])).to.equal(1);
    const row = await database.knex('products').where('sku', 'KILL-1').first();
    expect({ version: Number(row.version), price: Number(row.price_paise) }).to.deep.equal({ version: 2, price: 4_250 });
    expect(await deliver(survivor.url, priceChange, tally())).to.equal('duplicate');
  });
});

/** Polls until `condition` holds; the test's timeout bounds the wait, so load only makes it slower. */
async function waitFor(condition: () => Promise<boolean>) {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
  return true;
}
