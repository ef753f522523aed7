import { expect } from 'chai';
import { ConfigError } from '../../src/infrastructure/config-error.js';
import { loadConfig } from '../../src/infrastructure/load-config.js';

describe('loadConfig: partner webhooks', () => {
  it('loadConfig, when no webhook keys are set, gives no secrets, a 5-minute tolerance and a 256 KiB limit', () => {
    const config = loadConfig({});
    expect(config.WEBHOOK_SECRETS).to.deep.equal([]);
    expect(config).to.include({
      WEBHOOK_TOLERANCE_SECONDS: 300,
      WEBHOOK_BODY_LIMIT_BYTES: 262_144,
      WEBHOOK_CLAIM_LEASE_MS: 30_000,
      WEBHOOK_REGISTER_ON_START: true,
    });
  });

  it('loadConfig, when WEBHOOK_SECRETS lists several secrets, splits and trims them', () => {
    const config = loadConfig({ WEBHOOK_SECRETS: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw , a-plain-secret-of-20-chars' });
    expect(config.WEBHOOK_SECRETS).to.deep.equal(['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'a-plain-secret-of-20-chars']);
  });

  it('loadConfig, when a secret is short or not base64, names WEBHOOK_SECRETS and which secret', () => {
    expect(() => loadConfig({ WEBHOOK_SECRETS: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw,short' })).to.throw(
      ConfigError,
      /WEBHOOK_SECRETS: secret 2/,
    );
    expect(() => loadConfig({ WEBHOOK_SECRETS: 'whsec_not*base64!!!!!!!!!!!!!!' })).to.throw(ConfigError, /WEBHOOK_SECRETS: secret 1/);
  });

  it('loadConfig, when WEBHOOK_PUBLIC_URL is not an http(s) URL, names it', () => {
    expect(() => loadConfig({ WEBHOOK_PUBLIC_URL: 'ftp://example.com/hook' })).to.throw(ConfigError, /WEBHOOK_PUBLIC_URL/);
  });
});
