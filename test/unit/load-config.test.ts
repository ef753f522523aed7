import { expect } from 'chai';
import { ConfigError } from '../../src/infrastructure/config-error.js';
import { knexConfig } from '../../src/infrastructure/create-knex.js';
import { DEFAULT_DATABASE_POOL_SIZE, loadConfig } from '../../src/infrastructure/load-config.js';

describe('loadConfig', () => {
  it('loadConfig, when the environment is empty, gives the embedded defaults', () => {
    const config = loadConfig({});
    expect(config).to.include({ PORT: 3000, HOST: '0.0.0.0', WORKERS: 1, MIGRATE_ON_START: true, LOG_LEVEL: 'info' });
    expect(config.DATABASE_URL).to.equal(undefined);
    expect(config.REDIS_URL).to.equal(undefined);
  });

  it('loadConfig, when keys are set, parses and types them', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'mysql://root@127.0.0.1:3306/farmlokal',
      REDIS_URL: 'redis://127.0.0.1:6379',
      WORKERS: '2',
      MIGRATE_ON_START: 'false',
    });
    expect(config).to.include({ PORT: 8080, WORKERS: 2, MIGRATE_ON_START: false });
  });

  it('loadConfig, when several keys are bad, fails once naming every one of them', () => {
    const attempt = () => loadConfig({ PORT: 'eighty', DATABASE_URL: 'postgres://x/y', REDIS_URL: 'not a url', LOG_LEVEL: 'loud' });
    expect(attempt).to.throw(ConfigError);
    try {
      attempt();
    } catch (error) {
      const { message } = error as ConfigError;
      for (const key of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'LOG_LEVEL']) expect(message).to.contain(key);
    }
  });

  it('loadConfig, when more than one worker is asked for on the embedded default, refuses with the reason', () => {
    expect(() => loadConfig({ WORKERS: '2' })).to.throw(ConfigError, /WORKERS.*single process/);
  });

  it('loadConfig, when DATABASE_POOL_SIZE is set, sizes the MySQL pool with it, and refuses 0', () => {
    const url = 'mysql://root@127.0.0.1:3306/farmlokal';
    expect(knexConfig(loadConfig({ DATABASE_URL: url })).pool).to.include({ max: DEFAULT_DATABASE_POOL_SIZE });
    expect(knexConfig(loadConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: '12' })).pool).to.include({ min: 2, max: 12 });
    expect(knexConfig(loadConfig({ DATABASE_URL: url, DATABASE_POOL_SIZE: '1' })).pool).to.include({ min: 1, max: 1 });
    expect(() => loadConfig({ DATABASE_POOL_SIZE: '0' })).to.throw(ConfigError, /DATABASE_POOL_SIZE: must be at least 1/);
  });

  it('loadConfig, when a value is empty, treats it as unset', () => {
    const config = loadConfig({ PORT: '', REDIS_URL: ' ' });
    expect(config.PORT).to.equal(3000);
    expect(config.REDIS_URL).to.equal(undefined);
  });
});
