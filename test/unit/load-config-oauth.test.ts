import { expect } from 'chai';
import { ConfigError } from '../../src/infrastructure/config-error.js';
import { loadConfig } from '../../src/infrastructure/load-config.js';

describe('loadConfig: partner authentication keys', () => {
  const partner = { OAUTH_TOKEN_URL: 'https://partner.example/oauth/token', OAUTH_CLIENT_ID: 'id', OAUTH_CLIENT_SECRET: 'secret' };

  it('loadConfig, when no OAuth keys are set, gives Basic auth, 60 s skew, refresh at 80% and a lease shorter than the wait', () => {
    const config = loadConfig({});
    expect(config).to.include({
      OAUTH_CLIENT_AUTH: 'basic',
      OAUTH_DEFAULT_LIFETIME_SECONDS: 3600,
      OAUTH_EXPIRY_SKEW_SECONDS: 60,
      OAUTH_REFRESH_AHEAD_FRACTION: 0.8,
      OAUTH_LOCK_LEASE_MS: 5000,
      OAUTH_LOCK_WAIT_MS: 15_000,
    });
  });

  it('loadConfig, when OAuth keys are set, parses and types them', () => {
    const config = loadConfig({
      ...partner,
      OAUTH_CLIENT_AUTH: 'body',
      OAUTH_REFRESH_AHEAD_FRACTION: '0.5',
      OAUTH_EXPIRY_SKEW_SECONDS: '30',
      OAUTH_RETRIES: '0',
    });
    expect(config).to.include({
      OAUTH_CLIENT_AUTH: 'body',
      OAUTH_REFRESH_AHEAD_FRACTION: 0.5,
      OAUTH_EXPIRY_SKEW_SECONDS: 30,
      OAUTH_RETRIES: 0,
    });
  });

  it('loadConfig, when OAuth values are out of range, names every bad key', () => {
    const attempt = () =>
      loadConfig({
        OAUTH_CLIENT_AUTH: 'digest',
        OAUTH_REFRESH_AHEAD_FRACTION: '1.5',
        OAUTH_DEFAULT_LIFETIME_SECONDS: '0',
        OAUTH_RETRIES: 'x',
      });
    expect(attempt).to.throw(ConfigError);
    const message = (() => {
      try {
        attempt();
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    for (const key of ['OAUTH_CLIENT_AUTH', 'OAUTH_REFRESH_AHEAD_FRACTION', 'OAUTH_DEFAULT_LIFETIME_SECONDS', 'OAUTH_RETRIES']) {
      expect(message).to.contain(key);
    }
  });

  it('loadConfig, when a refresh fraction of 0 is given, refuses it (refresh would never stop)', () => {
    expect(() => loadConfig({ OAUTH_REFRESH_AHEAD_FRACTION: '0' })).to.throw(
      ConfigError,
      /OAUTH_REFRESH_AHEAD_FRACTION: must be greater than 0/,
    );
  });

  it('loadConfig, when OAUTH_TOKEN_URL is set without client credentials, names both missing keys', () => {
    expect(() => loadConfig({ OAUTH_TOKEN_URL: partner.OAUTH_TOKEN_URL })).to.throw(
      ConfigError,
      /OAUTH_CLIENT_ID[\s\S]*OAUTH_CLIENT_SECRET/,
    );
  });

  it('loadConfig, when the lock wait does not exceed the lease, refuses it with the reason', () => {
    expect(() => loadConfig({ OAUTH_LOCK_LEASE_MS: '5000', OAUTH_LOCK_WAIT_MS: '5000' })).to.throw(
      ConfigError,
      /OAUTH_LOCK_WAIT_MS: must exceed/,
    );
  });
});
