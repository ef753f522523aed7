import { expect } from 'chai';
import type { Knex } from 'knex';
import { KnexProductEventStore } from '../../src/adapters/persistence/knex-product-event-store.js';
import { requestScope } from '../../src/adapters/shared/request-scope.js';
import { WorkCancelledError } from '../../src/domain/errors/work-cancelled-error.js';
import { createDatabasePools, type DatabasePools } from '../../src/infrastructure/create-database-pools.js';
import { loadConfig } from '../../src/infrastructure/load-config.js';
import { migrateLatest } from '../../src/infrastructure/migrate.js';
import { priceChanged, stockChanged, unknownTypeEvent, upserted } from '../support/partner-events.js';
import { waitUntil } from '../support/process-list.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';
import { describeWith } from '../support/backends.js';

interface DriverClient {
  _query(connection: unknown, statement: { sql: string }): Promise<unknown>;
}

describeWith(['mysql'], 'KnexProductEventStore on the MariaDB write pool (statement batches)', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let pools: DatabasePools;
  let store: KnexProductEventStore;
  // What reached the driver: one entry per round trip, the statements it carried.
  let calls: string[][];

  before(async () => {
    database = await createTestDatabase('farmlokal_batches');
    await migrateLatest(database.knex);
    // One write connection, so "the next use of the connection" is the connection the store used.
    const config = loadConfig({ DATABASE_URL: database.url, DATABASE_WRITE_POOL_SIZE: '1', DATABASE_STATEMENT_TIMEOUT_MS: '10000' });
    pools = await createDatabasePools(config);
    const client = pools.write.client as DriverClient;
    const query = client._query.bind(client);
    client._query = (connection, statement) => {
      calls.push(statement.sql.split(';\n'));
      return query(connection, statement);
    };
    store = new KnexProductEventStore(pools.write);
  });

  beforeEach(() => {
    calls = [];
  });

  after(async () => {
    await pools?.destroy(1_000);
    await database?.drop();
  });

  const inTransaction = async () => {
    const [rows] = (await pools.write.raw('SELECT @@in_transaction AS open')) as [Array<{ open: number }>];
    return Number(rows[0].open);
  };
  const outcomeOf = async (id: string) => (await database.knex('partner_event_inbox').where('event_id', id).first('outcome'))?.outcome;
  const verbs = () => calls.map((statements) => statements.map((sql) => sql.split(' ').slice(0, 2).join(' ')));

  it('apply, when the stock of an existing product changes, takes two round trips and commits', async () => {
    await store.apply(upserted('RT-1', 1));
    calls = [];
    expect((await store.apply(stockChanged('RT-1', 2, 7))).outcome).to.equal('applied');
    expect(verbs()).to.deep.equal([
      ['SET TRANSACTION', 'START TRANSACTION', 'INSERT INTO', 'SELECT id,'],
      ['UPDATE products', 'COMMIT'],
    ]);
    expect(await database.knex('products').where('sku', 'RT-1').first('stock', 'version')).to.deep.equal({ stock: 7, version: 2 });
    expect(await inTransaction()).to.equal(0);
  });

  it('apply, when a product is renamed, rewrites its search terms in the second round trip', async () => {
    await store.apply(upserted('RT-2', 1));
    calls = [];
    expect((await store.apply(upserted('RT-2', 2, { name: 'Alphonso Mango' }))).outcome).to.equal('applied');
    expect(verbs()[1]).to.deep.equal(['UPDATE products', 'DELETE FROM', 'INSERT INTO', 'COMMIT']);
    const id = (await database.knex('products').where('sku', 'RT-2').first('id')).id as number;
    expect(await database.knex('product_terms').where({ product_id: id, term: 'alphonso' }).first()).to.not.equal(undefined);
  });

  it('apply, when the sku is new, inserts the product and its terms in three round trips', async () => {
    expect((await store.apply(upserted('RT-3', 1))).outcome).to.equal('applied');
    expect(verbs().slice(1)).to.deep.equal([['INSERT INTO'], ['DELETE FROM', 'INSERT INTO', 'COMMIT']]);
    expect(await inTransaction()).to.equal(0);
  });

  it('apply, when the event id was recorded before, answers duplicate and leaves no transaction open', async () => {
    await store.apply(upserted('RT-4', 1));
    const again = { ...priceChanged('RT-4', 9), id: upserted('RT-4', 1).id };
    calls = [];
    expect(await store.apply(again)).to.deep.equal({ outcome: 'duplicate', write: null });
    expect(verbs()).to.deep.equal([['SET TRANSACTION', 'START TRANSACTION', 'INSERT INTO', 'SELECT id,'], ['ROLLBACK']]);
    expect(await inTransaction()).to.equal(0);
    expect(await database.knex('products').where('sku', 'RT-4').first('version')).to.deep.equal({ version: 1 });
  });

  it('apply, when an older version arrives, records it as superseded and leaves no transaction open', async () => {
    await store.apply(upserted('RT-5', 5));
    const late = priceChanged('RT-5', 4);
    calls = [];
    expect(await store.apply(late)).to.deep.equal({ outcome: 'superseded', write: null });
    expect(verbs()[1]).to.deep.equal(['UPDATE partner_event_inbox', 'COMMIT']);
    expect(await outcomeOf(late.id)).to.equal('superseded');
    expect(await inTransaction()).to.equal(0);
  });

  it('apply, when the type is unknown, records it in one autocommitted statement', async () => {
    const event = unknownTypeEvent('evt_rt_unknown');
    expect((await store.apply(event)).outcome).to.equal('ignored');
    expect((await store.apply(event)).outcome).to.equal('duplicate');
    expect(verbs()).to.deep.equal([['INSERT INTO'], ['INSERT INTO']]);
    expect(await outcomeOf(event.id)).to.equal('ignored');
    expect(await inTransaction()).to.equal(0);
  });

  it('apply, when its request ends while it waits for the row lock, is cancelled, rolled back, and applies on the next delivery', async () => {
    await store.apply(upserted('RT-6', 1));
    const event = stockChanged('RT-6', 2, 3);
    const holder = await database.knex.transaction();
    try {
      await holder('products').where('sku', 'RT-6').forUpdate().first('id');
      const controller = new AbortController();
      const settled = requestScope
        .run({ requestId: 'test', signal: controller.signal }, () => store.apply(event))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(await waitUntil(() => lockWaits(database.knex, database.name)), 'the locked read waits').to.equal(true);
      controller.abort(new DOMException('The client closed the connection.', 'AbortError'));
      expect(await settled).to.be.instanceOf(WorkCancelledError);
    } finally {
      await holder.rollback();
    }
    expect(calls.at(-1)).to.deep.equal(['ROLLBACK']);
    expect(await inTransaction()).to.equal(0);
    expect(await outcomeOf(event.id), 'the inbox row went with the rollback').to.equal(undefined);
    expect((await store.apply(event)).outcome).to.equal('applied');
  });
});

async function lockWaits(knex: Knex, database: string): Promise<boolean> {
  const [rows] = (await knex.raw(
    "SELECT COUNT(*) AS n FROM information_schema.processlist WHERE db = ? AND command = 'Query' AND info LIKE '%FOR UPDATE%' AND id <> CONNECTION_ID()",
    [database],
  )) as [Array<{ n: number | string }>];
  return Number(rows[0]?.n ?? 0) > 0;
}
