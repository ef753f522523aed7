import { expect } from 'chai';
import knexFactory, { type Knex } from 'knex';
import { databaseCall } from '../../src/adapters/persistence/database-call.js';
import { type StatementGuard } from '../../src/adapters/persistence/statement-guard.js';
import { requestScope } from '../../src/adapters/shared/request-scope.js';
import { DeadlineExceededError } from '../../src/domain/errors/deadline-exceeded-error.js';
import { DependencyUnavailableError } from '../../src/domain/errors/dependency-unavailable-error.js';
import { OverloadedError } from '../../src/domain/errors/overloaded-error.js';
import { WorkCancelledError } from '../../src/domain/errors/work-cancelled-error.js';
import { createDatabasePools, type DatabasePools } from '../../src/infrastructure/create-database-pools.js';
import { loadConfig } from '../../src/infrastructure/load-config.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';
import { sleepingStatements, waitUntil } from '../support/process-list.js';
import { describeWith } from '../support/backends.js';

describeWith(['mysql'], 'Statement deadlines, cancellation and pool bulkheads on MariaDB', function () {
  this.timeout(60_000);
  let database: TestDatabase;
  let pools: DatabasePools;

  before(async () => {
    database = await createTestDatabase('farmlokal_guard');
    const config = loadConfig({
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: '2',
      DATABASE_POOL_WAIT_MS: '200',
      DATABASE_WRITE_POOL_SIZE: '2',
      DATABASE_STATEMENT_TIMEOUT_MS: '300',
    });
    pools = await createDatabasePools(config);
  });

  after(async () => {
    await pools?.destroy(1_000);
    await database?.drop();
  });

  it('a statement, when it runs past DATABASE_STATEMENT_TIMEOUT_MS, is stopped by the server and rejects with DeadlineExceededError', async () => {
    const error = await databaseCall(() => pools.read.raw('SELECT SLEEP(20) AS past_its_deadline')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(DeadlineExceededError);
    expect((error as Error).message)
      .to.contain('300 ms')
      .and.not.contain('SELECT');
    expect(await sleepingStatements(database.knex, 'past_its_deadline')).to.equal(0);
  });

  it('a statement, when the signal of the request it runs for aborts, is killed and leaves the process list', async () => {
    const controller = new AbortController();
    // Longer than the pools' statement limit would allow, so only the kill can end it: a pool of its own.
    const patient = await patientPool(database.url, pools.guard!);
    try {
      const running = requestScope.run({ requestId: 'test', signal: controller.signal }, () =>
        databaseCall(() => patient.raw('SELECT SLEEP(60) AS abandoned_by_client')),
      );
      const settled = running.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(
        await waitUntil(async () => (await sleepingStatements(database.knex, 'abandoned_by_client')) === 1),
        'the statement runs',
      ).to.equal(true);
      controller.abort(new DOMException('The client closed the connection.', 'AbortError'));
      expect(await settled).to.be.instanceOf(WorkCancelledError);
      expect(await sleepingStatements(database.knex, 'abandoned_by_client')).to.equal(0);
    } finally {
      await patient.destroy();
    }
  });

  it('a statement, when its request deadline passes, is killed and rejects with DeadlineExceededError', async () => {
    const controller = new AbortController();
    const patient = await patientPool(database.url, pools.guard!);
    try {
      const settled = requestScope
        .run({ requestId: 'test', signal: controller.signal }, () =>
          databaseCall(() => patient.raw('SELECT SLEEP(60) AS past_request_deadline')),
        )
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      await waitUntil(async () => (await sleepingStatements(database.knex, 'past_request_deadline')) === 1);
      controller.abort(new DOMException('The request ran past its 100 ms deadline.', 'TimeoutError'));
      expect(await settled).to.be.instanceOf(DeadlineExceededError);
      expect(await sleepingStatements(database.knex, 'past_request_deadline')).to.equal(0);
    } finally {
      await patient.destroy();
    }
  });

  it('a request, when its signal aborted before the statement started, runs nothing and rejects with WorkCancelledError', async () => {
    const controller = new AbortController();
    controller.abort(new DOMException('gone', 'AbortError'));
    await expect(
      requestScope.run({ requestId: 't', signal: controller.signal }, () =>
        databaseCall(() => pools.write.raw('CREATE TABLE never_created (id INT)')),
      ),
    ).to.be.rejectedWith(WorkCancelledError);
    expect(await database.knex.schema.hasTable('never_created')).to.equal(false);
  });

  it('the read pool, when every connection stays busy past its wait, sheds with OverloadedError while every write-pool statement succeeds', async () => {
    const client = pools.read.client as { acquireConnection(): Promise<unknown>; releaseConnection(c: unknown): Promise<void> };
    const held = [await client.acquireConnection(), await client.acquireConnection()];
    let shed: unknown;
    let writes: PromiseSettledResult<unknown>[];
    try {
      shed = await databaseCall(() => pools.read.raw('SELECT 1')).then(
        () => undefined,
        (e: unknown) => e,
      );
      writes = await Promise.allSettled(Array.from({ length: 20 }, () => databaseCall(() => pools.write.raw('SELECT 1'))));
    } finally {
      for (const connection of held) await client.releaseConnection(connection);
    }
    expect(shed).to.be.instanceOf(OverloadedError);
    expect((shed as OverloadedError).bulkhead).to.equal('catalogue-reads');
    expect(writes.filter((w) => w.status === 'rejected')).to.have.length(0);
  });

  it('the cancel-all of a shutdown, with statements running, kills each one and they reject with WorkCancelledError', async () => {
    const patient = await patientPool(database.url, pools.guard!);
    try {
      const settled = [1, 2].map(() =>
        databaseCall(() => patient.raw('SELECT SLEEP(60) AS running_at_shutdown')).then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      await waitUntil(async () => (await sleepingStatements(database.knex, 'running_at_shutdown')) === 2);
      await pools.guard!.cancelAll();
      for (const error of await Promise.all(settled)) expect(error).to.be.instanceOf(WorkCancelledError);
      expect(await sleepingStatements(database.knex, 'running_at_shutdown')).to.equal(0);
    } finally {
      await patient.destroy();
    }
  });

  it('a guarded pool, when the database cannot be reached, says the database is unavailable, not overloaded', async () => {
    const unreachable = knexFactory({
      client: 'mysql2',
      connection: { host: '127.0.0.1', port: 1, user: 'root', database: 'x', connectTimeout: 300 },
      pool: { min: 0, max: 2 },
      acquireConnectionTimeout: 600,
      log: { error: () => undefined, warn: () => undefined },
    });
    pools.guard!.guard(unreachable, { bulkhead: 'unreachable', statementTimeoutMs: 1_000 });
    try {
      const attempts = await Promise.all(
        [1, 2, 3, 4].map(() =>
          databaseCall(() => unreachable.raw('SELECT 1')).then(
            () => undefined,
            (e: unknown) => e,
          ),
        ),
      );
      for (const error of attempts) expect(error).to.be.instanceOf(DependencyUnavailableError);
    } finally {
      await unreachable.destroy();
    }
  });
});

/** A guarded pool without a statement limit, for statements only a kill can end. */
async function patientPool(url: string, guard: StatementGuard): Promise<Knex> {
  const { knexConfig } = await import('../../src/infrastructure/create-knex.js');
  const knex = knexFactory(
    knexConfig({ DATABASE_URL: url, SQLITE_FILE: ':memory:' }, { min: 0, max: 2, acquireTimeoutMs: 2_000, statementTimeoutMs: 0 }),
  );
  guard.guard(knex, { bulkhead: 'patient', statementTimeoutMs: 0 });
  return knex;
}
