import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'chai';
import knexFactory, { type Knex } from 'knex';
import { KnexProductRepository } from '../../src/adapters/persistence/knex-product-repository.js';
import { watchSqliteExternalWrites } from '../../src/adapters/persistence/sqlite-external-writes.js';
import { createKnex } from '../../src/infrastructure/create-knex.js';
import { loadConfig } from '../../src/infrastructure/load-config.js';
import { migrateLatest } from '../../src/infrastructure/migrate.js';
import { startService } from '../../src/infrastructure/start-service.js';
import { tiedProducts } from '../support/product-fixtures.js';
import { jsonOf } from '../support/test-service.js';

/** Commits to the SQLite file from another process, as `npm run catalog:sync` beside `npm start` does. */
function writeFromAnotherProcess(file: string, sql: string) {
  const script = `const Database = require('better-sqlite3'); const db = new Database(process.argv[1]); db.exec(process.argv[2]); db.close();`;
  const result = spawnSync(process.execPath, ['-e', script, file, sql], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`the other writer failed: ${result.stderr}`);
}

describe('Embedded default (SQLite, in-process cache), with a writer in another process', function () {
  this.timeout(30_000);
  let directory: string;
  let file: string;

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'farmlokal-external-'));
    file = join(directory, 'db.sqlite');
    const knex = await createKnex({ SQLITE_FILE: file });
    await migrateLatest(knex);
    await new KnexProductRepository(knex).upsert(tiedProducts(3));
    await knex.destroy();
  });

  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('watchSqliteExternalWrites, when this connection commits, stays quiet; when another process commits, calls onWrite', async () => {
    const knex: Knex = knexFactory({ client: 'better-sqlite3', connection: { filename: file }, useNullAsDefault: true });
    let writes = 0;
    const watch = watchSqliteExternalWrites(knex, async () => void (writes += 1), { intervalMs: 3_600_000, onError: () => undefined });
    try {
      await watch.poll();
      await knex('products').update({ stock: 1 });
      await watch.poll();
      expect(writes, 'own commit').to.equal(0);
      writeFromAnotherProcess(file, 'UPDATE products SET stock = 2');
      await watch.poll();
      expect(writes, 'the other process commit').to.equal(1);
      await watch.poll();
      expect(writes, 'nothing new').to.equal(1);
    } finally {
      await watch.stop();
      await knex.destroy();
    }
  });

  it('GET /api/products/:id, when another process changed the price of a cached product, serves the new price', async () => {
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', SQLITE_FILE: file, SEED_DEMO: 'false' });
    const service = await startService(config);
    try {
      const url = `${service.url}/api/products/1`;
      const listing = `${service.url}/api/products?limit=5`;
      const before = await jsonOf(await fetch(url));
      await fetch(listing);
      expect((await fetch(url)).headers.get('x-cache')).to.equal('HIT');
      expect((await fetch(listing)).headers.get('x-cache')).to.equal('HIT');

      writeFromAnotherProcess(file, `UPDATE products SET price_paise = price_paise + 1000, version = version + 1 WHERE id = 1`);

      // Well under the 30 s the entry stays fresh: the service notices at its next poll (250 ms).
      let after = before;
      for (let attempt = 0; attempt < 50 && after.price === before.price; attempt += 1) {
        await delay(100);
        after = await jsonOf(await fetch(url));
      }
      expect(after.price).to.not.equal(before.price);
      const page = await jsonOf(await fetch(listing));
      expect(page.data.find((p: { id: number }) => p.id === 1).price).to.equal(after.price);
    } finally {
      await service.shutdown('test');
    }
  });
});
