import { expect } from 'chai';
import { knexConfig } from '../../src/infrastructure/create-knex.js';
import { loadConfig } from '../../src/infrastructure/load-config.js';

describe('loadConfig, the database bulkheads and deadlines', () => {
  it('loadConfig, when no bulkhead key is set, gives a read and a write pool of 4, short read and long write waits, 5 s statements, 20 s requests', () => {
    const config = loadConfig({});
    expect(config).to.include({
      DATABASE_POOL_SIZE: 4,
      DATABASE_POOL_WAIT_MS: 1_000,
      DATABASE_WRITE_POOL_SIZE: 4,
      DATABASE_WRITE_POOL_WAIT_MS: 10_000,
      DATABASE_STATEMENT_TIMEOUT_MS: 5_000,
      REQUEST_DEADLINE_MS: 20_000,
    });
  });

  it('loadConfig, when no search key is set, lets 4 budgeted searches run at once per process, 64 wait up to 2 s, 10 starts a second while busy', () => {
    expect(loadConfig({})).to.include({
      SEARCH_CONCURRENCY: 4,
      SEARCH_QUEUE_LENGTH: 64,
      SEARCH_QUEUE_WAIT_MS: 2_000,
      SEARCH_BUSY_RATE: 10,
    });
    expect(() => loadConfig({ SEARCH_CONCURRENCY: '0' })).to.throw(/SEARCH_CONCURRENCY/);
  });

  it('loadConfig, when a bulkhead key is out of range, refuses it by name', () => {
    expect(() => loadConfig({ DATABASE_WRITE_POOL_SIZE: '0', DATABASE_STATEMENT_TIMEOUT_MS: '5' })).to.throw(
      /DATABASE_WRITE_POOL_SIZE[\s\S]*DATABASE_STATEMENT_TIMEOUT_MS|DATABASE_STATEMENT_TIMEOUT_MS[\s\S]*DATABASE_WRITE_POOL_SIZE/,
    );
  });

  it('loadConfig, when the request deadline is not above the write pool wait, refuses it: a queued webhook would be cancelled before it could be shed', () => {
    expect(() => loadConfig({ REQUEST_DEADLINE_MS: '5000', DATABASE_WRITE_POOL_WAIT_MS: '5000' })).to.throw(/REQUEST_DEADLINE_MS/);
  });

  it('knexConfig, when given pool settings, sizes the pool, sets its acquire wait and limits every session statement', () => {
    const config = loadConfig({ DATABASE_URL: 'mysql://root@127.0.0.1:3306/farmlokal' });
    const settings = knexConfig(config, { min: 1, max: 7, acquireTimeoutMs: 250, statementTimeoutMs: 1_500 });
    expect(settings.pool).to.include({ min: 1, max: 7 });
    expect(settings.acquireConnectionTimeout).to.equal(250);
    const sent: string[] = [];
    const connection = {
      query: (sql: string, done: (error: null) => void) => {
        sent.push(sql);
        done(null);
      },
    };
    (settings.pool as { afterCreate: (c: unknown, done: () => void) => void }).afterCreate(connection, () => undefined);
    expect(sent).to.deep.equal(['SET SESSION max_statement_time = 1.5']);
  });

  it('knexConfig, when the server is MySQL (no max_statement_time), falls back to max_execution_time in milliseconds', () => {
    const config = loadConfig({ DATABASE_URL: 'mysql://root@127.0.0.1:3306/farmlokal' });
    const settings = knexConfig(config, { min: 1, max: 2, acquireTimeoutMs: 250, statementTimeoutMs: 1_500 });
    const sent: string[] = [];
    const connection = {
      query: (sql: string, done: (error: { errno: number } | null) => void) => {
        sent.push(sql);
        done(sql.includes('max_statement_time') ? { errno: 1193 } : null);
      },
    };
    let outcome: unknown = 'not called';
    (settings.pool as { afterCreate: (c: unknown, done: (e: unknown) => void) => void }).afterCreate(
      connection,
      (error) => (outcome = error),
    );
    expect(sent).to.deep.equal(['SET SESSION max_statement_time = 1.5', 'SET SESSION max_execution_time = 1500']);
    expect(outcome).to.equal(null);
  });
});
