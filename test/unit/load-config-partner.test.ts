import { expect } from 'chai';
import { ConfigError } from '../../src/infrastructure/config-error.js';
import { loadConfig } from '../../src/infrastructure/load-config.js';

function messageOf(env: Record<string, string>) {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as Error).message;
  }
  return expect.fail('expected a ConfigError');
}

describe('loadConfig: partner catalogue keys', () => {
  it('loadConfig, when no partner catalogue keys are set, gives the documented defaults', () => {
    expect(loadConfig({})).to.include({
      PARTNER_ATTEMPT_TIMEOUT_MS: 800,
      PARTNER_DEADLINE_MS: 2_500,
      PARTNER_RETRIES: 6,
      PARTNER_BACKOFF_BASE_MS: 50,
      PARTNER_BACKOFF_MAX_MS: 1_000,
      PARTNER_RETRY_BUDGET_PERCENT: 80,
      PARTNER_RETRY_BUDGET_FLOOR: 10,
      PARTNER_BREAKER_FAILURE_PERCENT: 50,
      PARTNER_BREAKER_WINDOW: 20,
      PARTNER_BREAKER_MIN_CALLS: 10,
      PARTNER_BREAKER_OPEN_MS: 5_000,
      PARTNER_CACHE_SECONDS: 5,
      AVAILABILITY_RETENTION_SECONDS: 86_400,
      CATALOG_SYNC_PAGE_SIZE: 200,
    });
  });

  it('loadConfig, when values are malformed or out of range, names every bad key', () => {
    const message = messageOf({
      PARTNER_DEADLINE_MS: 'soon',
      PARTNER_RETRIES: '11',
      PARTNER_RETRY_BUDGET_PERCENT: '150',
      CATALOG_SYNC_PAGE_SIZE: '0',
    });
    for (const key of ['PARTNER_DEADLINE_MS', 'PARTNER_RETRIES', 'PARTNER_RETRY_BUDGET_PERCENT', 'CATALOG_SYNC_PAGE_SIZE']) {
      expect(message).to.contain(key);
    }
  });

  it('loadConfig, when settings contradict each other, says which and why', () => {
    const message = messageOf({
      PARTNER_ATTEMPT_TIMEOUT_MS: '3000',
      PARTNER_DEADLINE_MS: '1000',
      PARTNER_BACKOFF_BASE_MS: '500',
      PARTNER_BACKOFF_MAX_MS: '100',
      PARTNER_BREAKER_WINDOW: '5',
      PARTNER_BREAKER_MIN_CALLS: '10',
    });
    expect(message).to.contain('PARTNER_DEADLINE_MS: must be at least PARTNER_ATTEMPT_TIMEOUT_MS');
    expect(message).to.contain('PARTNER_BACKOFF_MAX_MS');
    expect(message).to.contain('PARTNER_BREAKER_MIN_CALLS');
  });
});
