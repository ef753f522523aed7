import { expect } from 'chai';
import { loadConfig } from '../../src/infrastructure/load-config.js';
import { startService, type RunningService } from '../../src/infrastructure/start-service.js';
import { productHistory, type WirePartnerEvent } from '../../tools/mock-partner/partner-event-wire.js';
import { webhookHeaders } from '../../tools/mock-partner/sign-webhook.js';
import { lockedStatements, waitUntil } from '../support/process-list.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';
import { lockTable } from '../support/table-lock.js';
import { describeWith } from '../support/backends.js';

const SECRET = 'whsec_YnVsa2hlYWRzLXRlc3Qtc2VjcmV0LWtleQ==';
const READ_POOL = 4;
const WRITE_POOL = 4;

/**
 * Each flood is made slow deterministically: a table only its path reads is locked, so its
 * statements hold their pool's connections until the test releases the lock. The other path must
 * then be answered in full, with no 503.
 */
describeWith(['mysql'], 'Bulkheads: catalogue reads and partner webhooks on pools of their own', function () {
  this.timeout(120_000);
  let database: TestDatabase;
  let service: RunningService;
  let skus: string[];

  before(async () => {
    database = await createTestDatabase('farmlokal_bulkheads');
    service = await startService(
      loadConfig({
        DATABASE_URL: database.url,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        RATE_LIMIT_ENABLED: 'false',
        WEBHOOK_REGISTER_ON_START: 'false',
        WEBHOOK_SECRETS: SECRET,
        DATABASE_POOL_SIZE: String(READ_POOL),
        DATABASE_WRITE_POOL_SIZE: String(WRITE_POOL),
      }),
    );
    skus = Array.from({ length: 50 }, (_, i) => `BULK-${i}`);
    for (const sku of skus) expect(await deliver(service.url, productHistory(sku, 1)[0])).to.equal(200);
  });

  after(async () => {
    await service?.shutdown('test over');
    await database?.drop();
  });

  it('webhooks, when a search flood holds every catalogue read connection, are all answered 200', async () => {
    const lock = await lockTable(database.url, 'product_terms');
    let searches: Promise<number>[];
    try {
      // A different word each, so no two share a term count (those are single-flight).
      searches = Array.from({ length: 64 }, (_, i) => get(`${service.url}/api/products?q=word${i}&limit=5`));
      expect(
        await waitUntil(async () => (await lockedStatements(database.knex, database.name)) >= READ_POOL),
        'the read pool is held',
      ).to.equal(true);
      // Price and stock changes write the inbox and products, not product_terms.
      const webhooks = await Promise.all(skus.map((sku, i) => deliver(service.url, productHistory(sku, 3)[1 + (i % 2)])));
      expect(
        webhooks.filter((status) => status !== 200),
        'webhook answers other than 200',
      ).to.deep.equal([]);
      // While the lock is held no search can finish its work: the first answer is a shed one.
      expect(await Promise.race(searches), 'the first search answer, with the read pool held').to.equal(503);
    } finally {
      await lock.release();
    }
    const statuses = await Promise.all(searches);
    expect(
      statuses.filter((s) => s !== 200 && s !== 503),
      'searches answer 200 or shed',
    ).to.deep.equal([]);
  });

  it('catalogue reads, when a webhook flood holds every write connection, are all answered 200', async () => {
    const lock = await lockTable(database.url, 'partner_event_inbox');
    let webhooks: Promise<number>[];
    try {
      webhooks = skus.map((sku) => deliver(service.url, productHistory(sku, 4)[3]));
      expect(
        await waitUntil(async () => (await lockedStatements(database.knex, database.name)) >= WRITE_POOL),
        'the write pool is held',
      ).to.equal(true);
      const listings = await Promise.all(
        Array.from({ length: 64 }, (_, i) => get(`${service.url}/api/products?limit=${1 + (i % 50)}&maxPrice=${100_000 + i}`)),
      );
      expect(
        listings.filter((status) => status !== 200),
        'listing answers other than 200',
      ).to.deep.equal([]);
      expect((await fetch(`${service.url}/readyz`)).status, 'readiness').to.equal(200);
    } finally {
      await lock.release();
    }
    expect(
      (await Promise.all(webhooks)).filter((s) => s !== 200),
      'the held webhooks, once the lock is gone',
    ).to.deep.equal([]);
  });
});

async function get(url: string): Promise<number> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return response.status;
}

async function deliver(url: string, event: WirePartnerEvent): Promise<number> {
  const body = JSON.stringify(event);
  const response = await fetch(`${url}/api/webhooks/partner`, { method: 'POST', headers: webhookHeaders([SECRET], body), body });
  await response.arrayBuffer();
  return response.status;
}
