import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { CATALOG_SYNC_CHECKPOINT, SyncCatalog } from '../../src/application/sync-catalog.js';
import type { PartnerProduct } from '../../src/domain/ports/external-catalog.js';
import { buildContainer } from '../../src/infrastructure/container.js';
import { createLogger } from '../../src/infrastructure/create-logger.js';
import { loadConfig } from '../../src/infrastructure/load-config.js';
import { migrateLatest } from '../../src/infrastructure/migrate.js';
import { DEV_CLIENT } from '../../tools/mock-partner/dev-credentials.js';
import { startMockPartner, type RunningMockPartner } from '../../tools/mock-partner/start-mock-partner.js';
import { httpCatalog, PATIENT_CALLS, setFaults, statsOf } from '../support/partner-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';
import { describeWith } from '../support/backends.js';

const SIZE = 600;
const PAGE_SIZE = 20;
const PAGES = SIZE / PAGE_SIZE;

describeWith(['mysql'], 'catalog:sync against the mock partner and MariaDB', function () {
  this.timeout(60_000);
  let mock: RunningMockPartner;
  let database: TestDatabase;

  const env = () => ({
    DATABASE_URL: database.url,
    PARTNER_API_URL: mock.url,
    OAUTH_TOKEN_URL: `${mock.url}/oauth/token`,
    OAUTH_CLIENT_ID: DEV_CLIENT.id,
    OAUTH_CLIENT_SECRET: DEV_CLIENT.secret,
    REDIS_URL: '',
    LOG_LEVEL: 'warn',
  });

  /** Every product row, all columns, in sku order: what "identical data" compares. */
  const snapshot = () => database.knex('products').select('*').orderBy('sku');

  async function partnerCatalogue(): Promise<PartnerProduct[]> {
    const { catalog } = httpCatalog(mock, { call: PATIENT_CALLS });
    const page = await catalog.listProducts(null, 500);
    const rest = page.nextCursor ? await catalog.listProducts(page.nextCursor, 500) : { items: [] };
    return [...page.items, ...rest.items];
  }

  function runCli() {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/infrastructure/cli/catalog-sync.ts', '--page-size', String(PAGE_SIZE)], {
      env: { ...process.env, ...env() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
    );
    return { child, exited };
  }

  async function checkpointPages(): Promise<number> {
    const row = await database
      .knex('sync_checkpoints')
      .where('name', CATALOG_SYNC_CHECKPOINT)
      .first()
      .catch(() => undefined);
    return row ? Number(row.pages) : 0;
  }

  beforeEach(async () => {
    mock = await startMockPartner({ catalog: { size: SIZE } });
    database = await createTestDatabase('farmlokal_sync');
    await migrateLatest(database.knex);
  });

  afterEach(async () => {
    await mock.stop();
    await database.drop();
  });

  it('SyncCatalog, run twice, leaves identical data, and the second run writes nothing', async () => {
    const config = loadConfig(env());
    const container = buildContainer(config, { knex: database.knex, logger: createLogger(config) });
    const first = await container.get(SyncCatalog).execute({ pageSize: 100 });
    const afterFirst = await snapshot();
    const second = await container.get(SyncCatalog).execute({ pageSize: 100 });
    expect(first).to.include({ items: SIZE, changed: SIZE, pages: 6 });
    expect(second).to.include({ items: SIZE, changed: 0, resumedAfterPages: 0 });
    expect(await snapshot()).to.deep.equal(afterFirst);
    const partner = await partnerCatalogue();
    expect(afterFirst.map((row) => row.sku)).to.deep.equal(partner.map((p) => p.sku).sort());
  });

  it('npm run catalog:sync, killed with SIGKILL midway and restarted, finishes with no duplicates and no gaps', async () => {
    await setFaults(mock, { latencyMs: 25, paths: ['/v1/'] });
    const first = runCli();
    const deadline = Date.now() + 30_000;
    while ((await checkpointPages()) < 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    first.child.kill('SIGKILL');
    const killed = await first.exited;
    expect(killed.signal, killed.stderr).to.equal('SIGKILL');

    const committedPages = await checkpointPages();
    const checkpoint = await database.knex('sync_checkpoints').where('name', CATALOG_SYNC_CHECKPOINT).first();
    expect(Boolean(checkpoint.completed), 'killed before the end').to.equal(false);
    expect(committedPages).to.be.within(5, PAGES - 1);
    const rowsAtKill = Number((await database.knex('products').count({ n: '*' }).first())!.n);
    expect(rowsAtKill, 'the checkpoint trails the data by at most one batch').to.be.within(
      committedPages * PAGE_SIZE,
      (committedPages + 1) * PAGE_SIZE,
    );
    const listedBeforeRestart = (await statsOf(mock))['catalog.list'] ?? 0;

    await setFaults(mock, { latencyMs: 0 });
    const second = await runCli().exited;
    expect(second.code, second.stderr).to.equal(0);
    expect(second.stdout).to.match(new RegExp(`resumed after page ${committedPages}\\): ${SIZE} products in ${PAGES} pages`));
    const listedByRestart = ((await statsOf(mock))['catalog.list'] ?? 0) - listedBeforeRestart;
    expect(listedByRestart, 'the restart fetched only the pages after the checkpoint').to.equal(PAGES - committedPages);

    const rows = await snapshot();
    const partner = await partnerCatalogue();
    expect(rows, 'no duplicates').to.have.length(SIZE);
    expect(new Set(rows.map((r) => r.sku)).size).to.equal(SIZE);
    expect(
      rows.map((r) => r.sku),
      'no gaps',
    ).to.deep.equal(partner.map((p) => p.sku).sort());
    const bySku = new Map(partner.map((p) => [p.sku, p]));
    for (const row of rows) {
      const p = bySku.get(row.sku)!;
      expect(
        { price: Number(row.price_paise), stock: Number(row.stock), version: Number(row.version), updatedAt: Number(row.updated_at) },
        row.sku,
      ).to.deep.equal({
        price: p.pricePaise,
        stock: p.stock,
        version: p.version,
        updatedAt: p.updatedAt.getTime(),
      });
    }
  });
});
