import { expect } from 'chai';
import knexFactory, { type Knex } from 'knex';
import { webhookHeaders } from '../../tools/mock-partner/sign-webhook.js';
import { loadConfig } from '../../src/infrastructure/load-config.js';
import { startService, type RunningService } from '../../src/infrastructure/start-service.js';
import { createLogger } from '../../src/infrastructure/create-logger.js';
import { describeWith } from '../support/backends.js';
import { MariaDbReplication } from '../support/scale-out.js';

const SECRET = 'whsec_cmVwbGljYS1zdGFsZS1yZWFkLXRlc3Qtc2VjcmV0';
const DATABASE = 'farmlokal_replicas';
const SKUS = ['REPLICA-1', 'REPLICA-2', 'REPLICA-3'];

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
    });
    service = await startService(config, { logger: createLogger(config) });
    const admin = new URL(replication.replicaAdminUrl);
    replicaAdmin = knexFactory({ client: 'mysql2', connection: { host: admin.hostname, port: Number(admin.port), user: 'root' }, pool: { min: 0, max: 1 } });
    for (const sku of SKUS) await deliver(upserted(sku));
  });

  after(async () => {
    await replicaAdmin?.raw('START REPLICA SQL_THREAD').catch(() => undefined);
    await replicaAdmin?.destroy();
    await service?.shutdown('test over');
    await replication?.stop();
  });

  async function deliver(event: object & { data: { sku: string; price: string } }) {
    const body = JSON.stringify(event);
    const response = await fetch(`${service.url}/api/webhooks/partner`, { method: 'POST', headers: webhookHeaders([SECRET], body), body });
    expect(response.status, await response.clone().text()).to.equal(200);
    await response.arrayBuffer();
    acknowledged.set(event.data.sku, Number(event.data.price));
  }

  function upserted(sku: string) {
    version += 1;
    const data = { sku, version, name: `Replica okra ${sku}`, description: 'Read from a replica.', category: 'vegetables', price: `${100 + version}.00`, stock: 5 };
    return { id: `evt_${sku}_${version}`, occurredAt: new Date(Date.UTC(2026, 11, 1) + version * 1_000).toISOString(), type: 'product.upserted', data };
  }

  function priceChanged(sku: string) {
    version += 1;
    const data = { sku, version, price: `${100 + version}.00` };
    return { id: `evt_${sku}_${version}`, occurredAt: new Date(Date.UTC(2026, 11, 1) + version * 1_000).toISOString(), type: 'product.price_changed', data };
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
      await deliver(priceChanged(SKUS[round % SKUS.length]!));
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

  it('the replica lag, measured every second, is a metric', async () => {
    const body = await (await fetch(`${service.url}/metrics`)).text();
    expect(body).to.match(/^database_replica_lag_seconds\{replica="127\.0\.0\.1:\d+"\} \d+/m);
  });
});
