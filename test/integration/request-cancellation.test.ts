import { expect } from 'chai';
import { loadConfig } from '../../src/infrastructure/load-config.js';
import { startService, type RunningService } from '../../src/infrastructure/start-service.js';
import { lockedStatements, waitUntil } from '../support/process-list.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';
import { lockTable, type TableLock } from '../support/table-lock.js';
import { problemOf } from '../support/test-service.js';
import { describeWith } from '../support/backends.js';

describeWith(['mysql'], 'Request cancellation on MariaDB', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let service: RunningService;
  let lock: TableLock | undefined;

  before(async () => {
    database = await createTestDatabase('farmlokal_cancel');
    const config = loadConfig({
      DATABASE_URL: database.url,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_ENABLED: 'false',
      WEBHOOK_REGISTER_ON_START: 'false',
      // Far beyond the test: only a cancellation can end these statements.
      DATABASE_STATEMENT_TIMEOUT_MS: '600000',
      REQUEST_DEADLINE_MS: '600000',
    });
    service = await startService(config);
  });

  afterEach(async () => {
    await lock?.release();
    lock = undefined;
  });

  after(async () => {
    await service?.shutdown('test over');
    await database?.drop();
  });

  it('GET /api/products, when its client disconnects while the statement runs, leaves no statement on the database', async () => {
    lock = await lockTable(database.url, 'products');
    const client = new AbortController();
    const answer = fetch(`${service.url}/api/products?limit=7`, { signal: client.signal }).catch((error: unknown) => error);
    expect(
      await waitUntil(async () => (await lockedStatements(database.knex, database.name)) === 1),
      'the listing statement runs',
    ).to.equal(true);
    client.abort();
    await answer;
    expect(await waitUntil(async () => (await lockedStatements(database.knex, database.name)) === 0), 'the statement is gone').to.equal(
      true,
    );
    expect(await lockedStatements(database.knex, database.name)).to.equal(0);
  });

  it('GET /api/products, when several clients disconnect, cancels each of their statements and later requests are served', async () => {
    lock = await lockTable(database.url, 'products');
    const clients = [1, 2, 3].map(() => new AbortController());
    const answers = clients.map((c, i) =>
      fetch(`${service.url}/api/products?limit=${10 + i}`, { signal: c.signal }).catch((e: unknown) => e),
    );
    expect(await waitUntil(async () => (await lockedStatements(database.knex, database.name)) === 3)).to.equal(true);
    for (const c of clients) c.abort();
    await Promise.all(answers);
    expect(await waitUntil(async () => (await lockedStatements(database.knex, database.name)) === 0)).to.equal(true);
    await lock.release();
    lock = undefined;
    expect((await fetch(`${service.url}/api/products?limit=20`)).status).to.equal(200);
  });

  it('GET /api/products, when every read connection is held, answers 503 "Service overloaded" with Retry-After and counts it as shed', async () => {
    lock = await lockTable(database.url, 'products');
    const clients = [1, 2, 3, 4].map(() => new AbortController());
    const holders = clients.map((c, i) =>
      fetch(`${service.url}/api/products?limit=${30 + i}`, { signal: c.signal }).catch((e: unknown) => e),
    );
    try {
      expect(
        await waitUntil(async () => (await lockedStatements(database.knex, database.name)) === 4),
        'the read pool (4) is busy',
      ).to.equal(true);
      const response = await fetch(`${service.url}/api/products?limit=40`);
      const problem = await problemOf(response, 503);
      expect(problem.title).to.equal('Service overloaded');
      expect(response.headers.get('retry-after')).to.equal('1');
      const ready = await fetch(`${service.url}/readyz`);
      expect(ready.status, 'readiness has a connection of its own').to.equal(200);
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).to.match(/http_requests_shed_total\{route="\/api\/products",reason="catalogue-reads"\} 1\b/);
    } finally {
      for (const c of clients) c.abort();
      await Promise.all(holders);
    }
  });
});

describeWith(['mysql'], 'Request deadlines on MariaDB', function () {
  this.timeout(60_000);

  it('GET /api/products, when it runs past REQUEST_DEADLINE_MS, answers 503 "Deadline exceeded" and its statement is killed', async () => {
    const database = await createTestDatabase('farmlokal_deadline');
    const config = loadConfig({
      DATABASE_URL: database.url,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      WEBHOOK_REGISTER_ON_START: 'false',
      DATABASE_STATEMENT_TIMEOUT_MS: '600000',
      DATABASE_WRITE_POOL_WAIT_MS: '100',
      REQUEST_DEADLINE_MS: '300',
    });
    const service = await startService(config);
    const lock = await lockTable(database.url, 'products');
    try {
      const response = await fetch(`${service.url}/api/products?limit=5`);
      const problem = await problemOf(response, 503);
      expect(problem.title).to.equal('Deadline exceeded');
      expect(response.headers.get('retry-after')).to.equal('1');
      expect(await waitUntil(async () => (await lockedStatements(database.knex, database.name)) === 0)).to.equal(true);
    } finally {
      await lock.release();
      await service.shutdown('test over');
      await database.drop();
    }
  });
});
