import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'chai';
import knexFactory, { type Knex } from 'knex';
import { webhookHeaders } from '../../tools/mock-partner/sign-webhook.js';
import { loadConfig } from '../../src/infrastructure/load-config.js';
import { startService, type RunningService } from '../../src/infrastructure/start-service.js';
import { createLogger } from '../../src/infrastructure/create-logger.js';
import { describeWith } from '../support/backends.js';
import { KnexProductRepository } from '../../src/adapters/persistence/knex-product-repository.js';
import { ReplicaRoutedProductRepository } from '../../src/adapters/persistence/replica-routed-product-repository.js';
import { createKnex } from '../../src/infrastructure/create-knex.js';
import { createReadReplicas } from '../../src/infrastructure/create-read-replicas.js';
import { migrateLatest } from '../../src/infrastructure/migrate.js';
import { describeProductRepositoryContract } from '../contracts/product-repository.contract.js';
import { MariaDbReplication } from '../support/scale-out.js';

const SECRET = 'whsec_cmVwbGljYS1zdGFsZS1yZWFkLXRlc3Qtc2VjcmV0';
const DATABASE = 'farmlokal_replicas';
const SKUS = ['REPLICA-1', 'REPLICA-2', 'REPLICA-3'];

const connect = (url: string): Knex => {
  const parsed = new URL(url);
  return knexFactory({
    client: 'mysql2',
    connection: { host: parsed.hostname, port: Number(parsed.port), user: parsed.username, database: parsed.pathname.slice(1) },
    pool: { min: 0, max: 1 },
  });
};

describeWith(['scale-out'], 'Read replicas (DATABASE_READ_URLS) on a private primary + GTID replica', function () {
  this.timeout(120_000);
  let replication: MariaDbReplication;
  let service: RunningService;
  let replicaAdmin: Knex;
  let version = 1;
  const acknowledged = new Map<string, number>();

  before(async () => {
    replication = await MariaDbReplication.start();
    const config = loadConfig({
      DATABASE_URL: `${replication.primaryServerUrl}/${DATABASE}`,
      DATABASE_READ_URLS: `${replication.replicaServerUrl}/${DATABASE}`,
      WEBHOOK_SECRETS: SECRET,
      WEBHOOK_REGISTER_ON_START: 'false',
      CURSOR_SECRET: 'replica-test-cursor-secret-0123456789',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_ENABLED: 'false',
      // No grace after writes: every read after a write rebuilds its page, and the rebuild is what
      // must never come from a replica behind the write (with a grace, the old page is served as
      // STALE on purpose while one rebuild runs, and that rebuild must not read old rows either).
      CACHE_WRITE_GRACE_MS: '0',
    });
    service = await startService(config, { logger: createLogger(config) });
    replicaAdmin = connect(replication.replicaAdminUrl);
    for (const sku of SKUS) await deliver(upserted(sku));
  });

  after(async () => {
    await replicaAdmin?.raw('START REPLICA SQL_THREAD').catch(() => undefined);
    await replicaAdmin?.destroy();
    await service?.shutdown('test over');
    await replication?.stop();
  });

  let delivered = 0;

  /** Delivers the event twice (a partner retry): both acknowledged, applied once. */
  async function deliver(event: object & { data: { sku: string; price: string } }) {
    const body = JSON.stringify(event);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const response = await fetch(`${service.url}/api/webhooks/partner`, {
        method: 'POST',
        headers: webhookHeaders([SECRET], body),
        body,
      });
      expect(response.status, await response.clone().text()).to.equal(200);
      await response.arrayBuffer();
      acknowledged.set(event.data.sku, Number(event.data.price));
    }
    delivered += 1;
  }

  function upserted(sku: string) {
    version += 1;
    const data = {
      sku,
      version,
      name: `Replica okra ${sku}`,
      description: 'Read from a replica.',
      category: 'vegetables',
      price: `${100 + version}.00`,
      stock: 5,
    };
    return {
      id: `evt_${sku}_${version}`,
      occurredAt: new Date(Date.UTC(2026, 11, 1) + version * 1_000).toISOString(),
      type: 'product.upserted',
      data,
    };
  }

  function priceChanged(sku: string) {
    version += 1;
    const data = { sku, version, price: `${100 + version}.00` };
    return {
      id: `evt_${sku}_${version}`,
      occurredAt: new Date(Date.UTC(2026, 11, 1) + version * 1_000).toISOString(),
      type: 'product.price_changed',
      data,
    };
  }

  /** Reads the listing `times` at once; counts pages where a product is older than its acknowledged write. */
  async function staleReads(times: number): Promise<{ stale: number; pages: number }> {
    const pages = await Promise.all(
      Array.from({ length: times }, async () => {
        const response = await fetch(`${service.url}/api/products?limit=50`);
        expect(response.status).to.equal(200);
        return (await response.json()) as { data?: { sku: string; price: string }[]; items?: { sku: string; price: string }[] };
      }),
    );
    let stale = 0;
    for (const page of pages) {
      const items = page.data ?? page.items ?? [];
      for (const sku of SKUS) {
        const item = items.find((candidate) => candidate.sku === sku);
        if (!item || Number(item.price) < acknowledged.get(sku)!) stale += 1;
      }
    }
    return { stale, pages: pages.length };
  }

  async function metric(target: string): Promise<number> {
    const body = await (await fetch(`${service.url}/metrics`)).text();
    return body
      .split('\n')
      .filter((line) => line.startsWith('database_replica_reads_total{') && line.includes(`target="${target}"`))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
  }

  async function writesAndReads(rounds: number) {
    let stale = 0;
    let pages = 0;
    for (let round = 0; round < rounds; round += 1) {
      await deliver(priceChanged(SKUS[round % SKUS.length]));
      const result = await staleReads(4);
      stale += result.stale;
      pages += result.pages;
    }
    return { stale, pages };
  }

  it('listings, with the replica in step, are read from the replica and show every acknowledged write', async () => {
    const before = await metric('replica');
    const { stale, pages } = await writesAndReads(15);
    expect(stale, `stale pages of ${pages}`).to.equal(0);
    expect(await metric('replica')).to.be.greaterThan(before);
  });

  it('listings, while the replica applies nothing (SQL thread stopped), never serve a page older than an acknowledged write', async () => {
    await replicaAdmin.raw('STOP REPLICA SQL_THREAD');
    const fallbacksBefore = await metric('primary');
    const { stale, pages } = await writesAndReads(15);
    expect(stale, `stale pages of ${pages}`).to.equal(0);
    expect(await metric('primary')).to.be.greaterThan(fallbacksBefore);
    await replicaAdmin.raw('START REPLICA SQL_THREAD');
    const catchingUp = await writesAndReads(15);
    expect(catchingUp.stale, `stale pages of ${catchingUp.pages} while the replica catches up`).to.equal(0);
  });

  it('each event delivered twice, with reads on the replica, is applied exactly once on the primary', async () => {
    const primary = connect(`${replication.primaryServerUrl}/${DATABASE}`);
    try {
      const rows = await primary('partner_event_inbox').count({ n: '*' }).whereIn('sku', SKUS).first();
      expect(Number(rows?.n)).to.equal(delivered);
    } finally {
      await primary.destroy();
    }
  });

  it('the replica lag, measured every second, is a metric: -1 while the replica applies nothing, its seconds behind once it does', async () => {
    const lag = async () => {
      const body = await (await fetch(`${service.url}/metrics`)).text();
      const line = body.split('\n').find((candidate) => candidate.startsWith('database_replica_lag_seconds{replica="127.0.0.1:'));
      return line === undefined ? undefined : Number(line.split(' ').pop());
    };
    await replicaAdmin.raw('STOP REPLICA SQL_THREAD');
    try {
      while ((await lag()) !== -1) await delay(100);
    } finally {
      await replicaAdmin.raw('START REPLICA SQL_THREAD');
    }
    for (let value = await lag(); value === undefined || value < 0; value = await lag()) await delay(100);
  });

  describeProductRepositoryContract('MariaDB, reads routed to a GTID replica', async () => {
    const database = `farmlokal_replica_contract_${Date.now().toString(36)}`;
    const primaryUrl = `${replication.primaryServerUrl}/${database}`;
    const knex = await createKnex({ DATABASE_URL: primaryUrl, SQLITE_FILE: '' });
    await migrateLatest(knex);
    const replicas = (await createReadReplicas({
      DATABASE_URL: primaryUrl,
      DATABASE_READ_URLS: [`${replication.replicaServerUrl}/${database}`],
      DATABASE_READ_MAX_LAG_SECONDS: 5,
      SQLITE_FILE: '',
      DATABASE_POOL_SIZE: 4,
      DATABASE_POOL_WAIT_MS: 1_000,
      DATABASE_STATEMENT_TIMEOUT_MS: 5_000,
    }))!;
    const byName = new Map(replicas.replicas.map((replica) => [replica.name, new KnexProductRepository(replica.knex)]));
    return {
      repository: new ReplicaRoutedProductRepository(new KnexProductRepository(knex), byName, replicas.router),
      cleanup: async () => {
        await replicas.destroy(1_000);
        await knex.raw('DROP DATABASE ??', [database]);
        await knex.destroy();
      },
    };
  });

  // Declared last: it stops the replica for good.
  describe('replica down', () => {
    it('listings, with the replica stopped, come from the primary and still show every acknowledged write', async () => {
      await replicaAdmin.raw('SHUTDOWN').catch(() => undefined);
      const { stale, pages } = await writesAndReads(5);
      expect(stale, `stale pages of ${pages}`).to.equal(0);
    });
  });
});
