import { expect } from 'chai';
import { ConfigError } from '../../src/infrastructure/config-error.js';
import { loadConfig } from '../../src/infrastructure/load-config.js';

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig: scale-out keys', () => {
  const primary = { DATABASE_URL: 'mysql://app@db-primary:3306/farmlokal' };

  it('loadConfig, when cluster seeds or sentinels are listed, parses each comma-separated list', () => {
    const cluster = loadConfig({ REDIS_CLUSTER_URLS: 'redis://10.0.0.1:7000,redis://10.0.0.2:7000' });
    expect(cluster.REDIS_CLUSTER_URLS).to.deep.equal(['redis://10.0.0.1:7000', 'redis://10.0.0.2:7000']);
    const sentinel = loadConfig({ REDIS_SENTINELS: 's1:26379, s2:26380', REDIS_SENTINEL_NAME: 'farmlokal' });
    expect(sentinel.REDIS_SENTINELS).to.deep.equal([
      { host: 's1', port: 26379 },
      { host: 's2', port: 26380 },
    ]);
  });

  it('loadConfig, when read replicas are listed, parses the list; without a primary, names the missing key', () => {
    const config = loadConfig({ ...primary, DATABASE_READ_URLS: 'mysql://r@db-r1/farmlokal, mysql://r@db-r2/farmlokal,' });
    expect(config.DATABASE_READ_URLS).to.deep.equal(['mysql://r@db-r1/farmlokal', 'mysql://r@db-r2/farmlokal']);
    expect(config.DATABASE_READ_MAX_LAG_SECONDS).to.equal(5);
    expect(problemsOf({ DATABASE_READ_URLS: 'mysql://r@db-r1/farmlokal' })).to.include('DATABASE_READ_URLS: needs DATABASE_URL');
  });

  it('loadConfig, when more than one Redis topology is set, names the keys that conflict', () => {
    const message = problemsOf({ REDIS_URL: 'redis://localhost:6379', REDIS_CLUSTER_URLS: 'redis://10.0.0.1:7000' });
    expect(message).to.include('REDIS_URL, REDIS_CLUSTER_URLS: set only one of');
    expect(problemsOf({ REDIS_CLUSTER_URLS: 'redis://a:1', REDIS_SENTINELS: 'b:2', REDIS_SENTINEL_NAME: 'm' })).to.include(
      'REDIS_CLUSTER_URLS, REDIS_SENTINELS: set only one of',
    );
  });

  it('loadConfig, when sentinels come without a master name, names the missing key', () => {
    expect(problemsOf({ REDIS_SENTINELS: 's1:26379' })).to.include('REDIS_SENTINEL_NAME: required');
  });

  it('loadConfig, when a list holds a malformed entry, names the key', () => {
    expect(problemsOf({ ...primary, DATABASE_READ_URLS: 'mysql://r@db-r1/farmlokal,postgres://x/y' })).to.include('DATABASE_READ_URLS');
    expect(problemsOf({ REDIS_CLUSTER_URLS: ' , ' })).to.include('REDIS_CLUSTER_URLS');
    expect(problemsOf({ REDIS_SENTINELS: 's1', REDIS_SENTINEL_NAME: 'm' })).to.include('REDIS_SENTINELS');
  });

  it('loadConfig, when several workers share a Redis Cluster, accepts it as their shared Redis', () => {
    const config = loadConfig({ ...primary, WORKERS: '2', REDIS_CLUSTER_URLS: 'redis://10.0.0.1:7000' });
    expect(config.WORKERS).to.equal(2);
  });
});
