import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError } from '../../src/infrastructure/config-error.js';
import { DEVELOPMENT_WEBHOOK_SECRET, developmentSecretProblems } from '../../src/infrastructure/development-secrets.js';
import { explainFailure } from '../../src/infrastructure/explain-failure.js';
import { loadConfig } from '../../src/infrastructure/load-config.js';
import { MigrationFiles } from '../../src/infrastructure/migration-files.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig for production', () => {
  it('loadConfig, when several keys are bad, names each of them and no other', () => {
    const problems = problemsOf({ PORT: 'abc', LOG_LEVEL: 'verbose', PARTNER_MODE: 'fake', METRICS_PORT: 'x' });
    expect(problems.map((p) => p.split(':')[0]).sort()).to.deep.equal(['LOG_LEVEL', 'METRICS_PORT', 'PARTNER_MODE', 'PORT']);
  });

  it('loadConfig, on the embedded default or with PARTNER_MODE=mock, is development; with DATABASE_URL alone it is not', () => {
    expect(loadConfig({}).development).to.equal(true);
    expect(loadConfig({ DATABASE_URL: 'mysql://root@127.0.0.1:3306/x' }).development).to.equal(false);
    expect(loadConfig({ DATABASE_URL: 'mysql://root@127.0.0.1:3306/x', PARTNER_MODE: 'mock' }).development).to.equal(true);
  });

  it('loadConfig, by default, serves /metrics and /docs on the service port', () => {
    const config = loadConfig({});
    expect([config.METRICS_ENABLED, config.METRICS_PORT, config.DOCS_ENABLED]).to.deep.equal([true, undefined, true]);
    expect(loadConfig({ METRICS_PORT: '9464' }).METRICS_PORT).to.equal(9464);
  });
});

describe('developmentSecretProblems', () => {
  const production = { DATABASE_URL: 'mysql://root@127.0.0.1:3306/x' };

  it('outside development, refuses the default cursor secret and the published webhook secret, saying how to make real ones', () => {
    const problems = developmentSecretProblems(
      loadConfig({ ...production, WEBHOOK_SECRETS: `whsec_b3duLXJvdGF0ZWQtc2VjcmV0LTE2,${DEVELOPMENT_WEBHOOK_SECRET}` }),
    );
    expect(problems).to.have.length(2);
    expect(problems[0]).to.match(/^CURSOR_SECRET: .*openssl rand -hex 32/);
    expect(problems[1]).to.match(/^WEBHOOK_SECRETS: secret 2 is the mock partner's published development secret.*openssl rand/);
  });

  it('outside development, with secrets of its own, refuses nothing', () => {
    expect(
      developmentSecretProblems(
        loadConfig({ ...production, CURSOR_SECRET: 'a-cursor-secret-of-our-own', WEBHOOK_SECRETS: 'a-webhook-secret-of-our-own' }),
      ),
    ).to.deep.equal([]);
  });

  it('in development (embedded default, or PARTNER_MODE=mock), accepts the published secrets', () => {
    expect(developmentSecretProblems(loadConfig({ WEBHOOK_SECRETS: DEVELOPMENT_WEBHOOK_SECRET }))).to.deep.equal([]);
    expect(
      developmentSecretProblems(loadConfig({ ...production, PARTNER_MODE: 'mock', WEBHOOK_SECRETS: DEVELOPMENT_WEBHOOK_SECRET })),
    ).to.deep.equal([]);
  });
});

describe('explainFailure', () => {
  const settings = { DATABASE_URL: 'mysql://app:pw@db.internal:3306/farmlokal', REDIS_URL: 'redis://cache.internal:6380', PORT: 3000 };
  const coded = (code: string, fields: Record<string, unknown> = {}) => Object.assign(new Error(`${code} happened`), { code, ...fields });

  it('explainFailure, for the failures people meet, names the thing and what to do, in one line', () => {
    expect(explainFailure(coded('ECONNREFUSED', { address: '10.0.0.5', port: 3306 }), settings)).to.equal(
      'cannot connect to MariaDB/MySQL at db.internal:3306 (DATABASE_URL): connection refused; start it, or correct the host and port',
    );
    expect(explainFailure(coded('ECONNREFUSED', { address: '10.0.0.6', port: 6380 }), settings)).to.match(
      /^cannot connect to Redis at cache\.internal:6380 \(REDIS_URL\)/,
    );
    expect(explainFailure(coded('ER_ACCESS_DENIED_ERROR'), settings)).to.match(/access denied.*DATABASE_URL/);
    expect(explainFailure(coded('EADDRINUSE', { port: 3000 }), settings)).to.match(/^port 3000 is already in use.*set PORT/);
    expect(explainFailure(coded('ENOTFOUND', { hostname: 'db.internal' }), settings)).to.match(
      /host name of MariaDB\/MySQL at db\.internal:3306 \(DATABASE_URL\)/,
    );
  });

  it('explainFailure, when the cause is wrapped or one of several (AggregateError), still finds it', () => {
    const wrapped = new Error('pool failed', {
      cause: new AggregateError([coded('ECONNREFUSED', { address: '::1', port: 3306 })], 'all addresses failed'),
    });
    expect(explainFailure(wrapped, settings)).to.match(/^cannot connect to MariaDB\/MySQL/);
  });

  it('explainFailure, for anything else, gives the first line of the message only', () => {
    expect(explainFailure(new Error('something odd\n    at frame (file.js:1:1)'))).to.equal('something odd');
  });
});

describe('MigrationFiles', () => {
  let directory: string;
  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'farmlokal-migration-files-'));
    for (const file of ['002_b.js', '001_a.js', '001_a.js.map', 'types.d.ts', 'README.md']) writeFileSync(join(directory, file), '');
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('lists compiled migrations in order under their source names, unless the database recorded the .js name', async () => {
    const source = new MigrationFiles(directory, new Set(['002_b.js']));
    const files = await source.getMigrations();
    expect(files).to.deep.equal(['001_a.js', '002_b.js']);
    expect(files.map((file) => source.getMigrationName(file))).to.deep.equal(['001_a.ts', '002_b.js']);
  });
});
