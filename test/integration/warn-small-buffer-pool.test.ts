import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { warnIfBufferPoolSmall } from '../../src/infrastructure/warn-small-buffer-pool.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';

const MB = 1024 * 1024;

function recordingLogger() {
  const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
  const failures: string[] = [];
  const logger = {
    warn: (fields: Record<string, unknown>, message: string) => warnings.push({ fields, message }),
    debug: (_fields: unknown, message: string) => failures.push(message),
  } as unknown as Logger;
  return { logger, warnings, failures };
}

const answering = (pool: number, tables: number) =>
  ({ raw: async () => [[{ pool: String(pool), tables: String(tables) }]] }) as unknown as Knex;

describe('warnIfBufferPoolSmall', function () {
  this.timeout(30_000);
  let database: TestDatabase;

  before(async () => {
    database = await createTestDatabase('farmlokal_buffer_pool');
  });

  after(() => database?.drop());

  it('the check, when the buffer pool is the 128 MB default and the tables are 900 MB, warns once with both sizes and what to set', async () => {
    const { logger, warnings } = recordingLogger();
    await warnIfBufferPoolSmall(answering(128 * MB, 900 * MB), logger);
    expect(warnings).to.have.length(1);
    expect(warnings[0].fields).to.deep.equal({ bufferPoolMb: 128, tablesMb: 900 });
    expect(warnings[0].message).to.match(/set innodb_buffer_pool_size to at least 900 MB/);
  });

  it('the check, when the buffer pool holds the tables, or the statistics cannot be read, says nothing at warn level', async () => {
    const { logger, warnings } = recordingLogger();
    await warnIfBufferPoolSmall(answering(2048 * MB, 900 * MB), logger);
    await warnIfBufferPoolSmall({ raw: async () => Promise.reject(new Error('SELECT command denied')) } as unknown as Knex, logger);
    expect(warnings).to.deep.equal([]);
  });

  it('the check, on a real MariaDB database of a few tables, runs its query and does not warn', async () => {
    await database.knex.schema.createTable('filler', (table) => table.increments('id'));
    const { logger, warnings, failures } = recordingLogger();
    await warnIfBufferPoolSmall(database.knex, logger);
    expect(failures, 'the query ran').to.deep.equal([]);
    expect(warnings).to.deep.equal([]);
  });
});
