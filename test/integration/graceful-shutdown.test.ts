import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { InMemoryProductRepository } from '../../src/adapters/in-memory/in-memory-product-repository.js';
import type { ProductRepository } from '../../src/domain/ports/product-repository.js';
import { loadConfig } from '../../src/infrastructure/load-config.js';
import { startService } from '../../src/infrastructure/start-service.js';
import { tiedProducts } from '../support/product-fixtures.js';
import { lockedStatements, waitUntil } from '../support/process-list.js';
import { createTestDatabase } from '../support/services.js';
import { lockTable } from '../support/table-lock.js';
import { jsonOf } from '../support/test-service.js';
import { describeWith } from '../support/backends.js';

describeWith(['mysql'], 'Graceful shutdown', function () {
  this.timeout(60_000);
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'farmlokal-shutdown-'));
  });

  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('shutdown, when requests are in flight, lets them finish and then refuses new connections', async () => {
    const products = new InMemoryProductRepository();
    await products.upsert(tiedProducts(5));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const inFlight = new Promise<void>((resolve) => (started = resolve));
    const slow: ProductRepository = {
      list: async (query) => {
        started();
        await gate;
        return products.list(query);
      },
      findById: (id) => products.findById(id),
      upsert: (drafts) => products.upsert(drafts),
    };
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', SQLITE_FILE: join(directory, 'db.sqlite') });
    const service = await startService(config, { overrides: { ProductRepository: slow } });

    const pending = fetch(`${service.url}/api/products?limit=2`);
    await inFlight;
    const stopped = service.shutdown('test');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(fetch(`${service.url}/livez`), 'the listener no longer accepts').to.be.rejected;
    release();
    const response = await pending;
    expect(response.status).to.equal(200);
    expect((await jsonOf(response)).data).to.have.length(2);
    await stopped;
  });

  it('shutdown, when a statement is in flight that nothing but a cancellation would end, completes and leaves no statement on MariaDB', async () => {
    const database = await createTestDatabase('farmlokal_shutdown');
    try {
      const config = loadConfig({
        DATABASE_URL: database.url,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        WEBHOOK_REGISTER_ON_START: 'false',
        SHUTDOWN_TIMEOUT_MS: '1000',
        DATABASE_STATEMENT_TIMEOUT_MS: '600000',
        REQUEST_DEADLINE_MS: '600000',
      });
      const service = await startService(config);
      const lock = await lockTable(database.url, 'products');
      try {
        const answer = fetch(`${service.url}/api/products?limit=3`).then(
          (r) => r.status,
          () => 'connection closed',
        );
        expect(await waitUntil(async () => (await lockedStatements(database.knex, database.name)) === 1), 'the query runs').to.equal(true);
        // The lock is still held: without the bound the shutdown would wait for it forever.
        await service.shutdown('test');
        expect(await answer).to.be.oneOf([503, 'connection closed']);
        expect(await lockedStatements(database.knex, database.name)).to.equal(0);
      } finally {
        await lock.release();
      }
    } finally {
      await database.drop();
    }
  });

  it('the process, when sent SIGTERM, drains and exits with code 0', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/infrastructure/main.ts'], {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        SQLITE_FILE: join(directory, 'db.sqlite'),
        OAUTH_TOKEN_URL: 'http://127.0.0.1:1/oauth/token',
        OAUTH_CLIENT_ID: 'x',
        OAUTH_CLIENT_SECRET: 'y',
        PARTNER_API_URL: 'http://127.0.0.1:1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const listening = await waitFor(() => /"msg":"listening"/.test(output), 30_000);
    expect(listening, output).to.equal(true);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited, output).to.equal(0);
    expect(output).to.contain('shutdown complete');
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}
