import { expect } from 'chai';
import { RegisterPartnerWebhook } from '../../src/application/register-partner-webhook.js';
import { buildContainer } from '../../src/infrastructure/container.js';
import { createLogger } from '../../src/infrastructure/create-logger.js';
import { loadConfig } from '../../src/infrastructure/load-config.js';
import { TYPES } from '../../src/types.js';

describe('buildContainer', () => {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const logger = createLogger(config);

  it('buildContainer, without a database, builds nothing until asked, and a use case that needs none resolves', () => {
    const container = buildContainer(config, { logger });
    expect(container.get(RegisterPartnerWebhook)).to.be.instanceOf(RegisterPartnerWebhook);
  });

  it('a database-backed port, when resolved without a database, fails naming the port', () => {
    const container = buildContainer(config, { logger });
    expect(() => container.get(TYPES.ProductRepository)).to.throw(/ProductRepository needs a database/);
  });

  it('a binding, when resolved twice, is built once (singleton); an override is used as given', () => {
    const tokens = { getToken: () => Promise.reject(new Error('unused')), invalidate: () => Promise.resolve() };
    const container = buildContainer(config, { logger }, { TokenProvider: tokens });
    expect(container.get(TYPES.LastKnownAvailability)).to.equal(container.get(TYPES.LastKnownAvailability));
    expect(container.get(TYPES.TokenProvider)).to.equal(tokens);
  });
});
