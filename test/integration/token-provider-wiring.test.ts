import { Writable } from 'node:stream';
import { expect } from 'chai';
import { Registry } from 'prom-client';
import { callWithToken } from '../../src/adapters/partner/call-with-token.js';
import { TokenRequestRejectedError } from '../../src/domain/errors/token-request-rejected-error.js';
import { TokenUnavailableError } from '../../src/domain/errors/token-unavailable-error.js';
import { createLogger } from '../../src/infrastructure/create-logger.js';
import { createTokenProvider } from '../../src/infrastructure/create-token-provider.js';
import { loadConfig } from '../../src/infrastructure/load-config.js';
import { DEV_CLIENT } from '../../tools/mock-partner/dev-credentials.js';
import { startMockPartner, type RunningMockPartner } from '../../tools/mock-partner/start-mock-partner.js';
import { createTestRedis, type TestRedis } from '../support/services.js';
import { silentLogger, systemClock } from '../support/token-fixtures.js';
import { describeWith } from '../support/backends.js';

describeWith(['redis'], 'createTokenProvider (the composition of the token adapters)', function () {
  this.timeout(20_000);
  let mock: RunningMockPartner;
  let redis: TestRedis;

  const configFor = (env: Record<string, string> = {}) =>
    loadConfig({
      OAUTH_TOKEN_URL: `${mock.url}/oauth/token`,
      OAUTH_CLIENT_ID: DEV_CLIENT.id,
      OAUTH_CLIENT_SECRET: DEV_CLIENT.secret,
      OAUTH_RETRIES: '1',
      REDIS_KEY_PREFIX: redis.prefix,
      LOG_LEVEL: 'trace',
      ...env,
    });

  beforeEach(async () => {
    mock = await startMockPartner();
    redis = await createTestRedis('token-wiring');
  });

  afterEach(async () => {
    await redis.cleanup();
    await mock.stop();
  });

  it('createTokenProvider, when Redis is configured, shares tokens through it; without, keeps them in-process', async () => {
    const config = configFor();
    const shared = createTokenProvider(config, { redis: redis.client, logger: silentLogger, clock: systemClock });
    const local = createTokenProvider(config, { logger: silentLogger, clock: systemClock });
    const token = await shared.getToken();
    const again = createTokenProvider(config, { redis: redis.client, logger: silentLogger, clock: systemClock });
    expect((await again.getToken()).value).to.equal(token.value);
    expect(mock.context.stats.get('oauth.tokenRequests')).to.equal(1);
    await local.getToken();
    expect(mock.context.stats.get('oauth.tokenRequests')).to.equal(2);
  });

  it('createTokenProvider, when Redis is configured, keeps every token key under one {oauth:<client>} hash tag', async () => {
    const shared = createTokenProvider(configFor(), { redis: redis.client, logger: silentLogger, clock: systemClock });
    await shared.getToken();
    const keys = (await redis.client.keys(`${redis.prefix}*`)).map((key) => key.slice(redis.prefix.length));
    expect(keys).to.have.length(1);
    expect(keys[0]).to.match(/^\{oauth:[0-9a-f]{16}\}:token$/);
  });

  it('createTokenProvider, when no token URL is configured, gives a provider that fails with a clear error', async () => {
    const provider = createTokenProvider(loadConfig({}), { logger: silentLogger, clock: systemClock });
    await expect(provider.getToken()).to.be.rejectedWith(TokenUnavailableError, /no token endpoint is configured/);
  });

  it('token metrics, when tokens are fetched, served and refused, are exported on the given registry', async () => {
    const registry = new Registry();
    const provider = createTokenProvider(configFor(), { redis: redis.client, logger: silentLogger, clock: systemClock, registry });
    await provider.getToken();
    await provider.getToken();
    const peerRegistry = new Registry();
    const peer = createTokenProvider(configFor(), {
      redis: redis.client,
      logger: silentLogger,
      clock: systemClock,
      registry: peerRegistry,
    });
    await peer.getToken();
    expect(await peerRegistry.metrics()).to.match(/^partner_token_cache_hits_total\{layer="redis"\} 1$/m);
    const refused = createTokenProvider(configFor({ OAUTH_CLIENT_SECRET: 'wrong', REDIS_KEY_PREFIX: `${redis.prefix}x:` }), {
      logger: silentLogger,
      clock: systemClock,
      registry,
    });
    await expect(refused.getToken()).to.be.rejectedWith(TokenRequestRejectedError);

    const text = await registry.metrics();
    expect(text).to.match(/^partner_token_fetches_total 2$/m);
    expect(text).to.match(/^partner_token_cache_hits_total\{layer="memory"\} 1$/m);
    expect(text).to.match(/^partner_token_fetch_failures_total\{reason="rejected"\} 1$/m);
    expect(text).to.match(/^partner_token_lock_waits_total 0$/m);
  });

  it('logs, across fetches, refusals, retries and a Redis outage, never contain the client secret or a token', async () => {
    let output = '';
    const sink = new Writable({
      write(chunk, _encoding, done) {
        output += String(chunk);
        done();
      },
    });
    const config = configFor({ OAUTH_REFRESH_AHEAD_FRACTION: '0.5' });
    const logger = createLogger(config, sink);
    const provider = createTokenProvider(config, { redis: redis.client, logger, clock: systemClock });
    const issued: string[] = [];
    const token = await provider.getToken();
    issued.push(token.value);

    await fetch(`${mock.url}/__oauth/revoke`, { method: 'POST' });
    const response = await callWithToken(provider, (authorization, used) => {
      issued.push(used.value);
      return fetch(`${mock.url}/oauth/whoami`, { headers: { authorization } });
    });
    expect(response.status).to.equal(200);

    Object.assign(mock.context.faults, { errorRate: 1, remaining: 1 });
    await provider.invalidate({ value: issued.at(-1)!, expiresAt: 0 });
    issued.push((await provider.getToken()).value);

    const offline = createTokenProvider(configFor({ REDIS_KEY_PREFIX: 'never-used:' }), {
      redis: { ...redis.client, mGet: () => Promise.reject(new Error('connection closed')) } as never,
      logger,
      clock: systemClock,
    });
    issued.push((await offline.getToken()).value);

    const refused = createTokenProvider(configFor({ OAUTH_CLIENT_SECRET: 'wrong-secret-value' }), { logger, clock: systemClock });
    await refused.getToken().catch((error: unknown) => logger.error({ err: error }, 'partner call failed'));
    logger.info({ config, token: issued[0], accessToken: issued[0] }, 'explicit attempt to log secrets');
    await new Promise((resolve) => setImmediate(resolve));

    expect(output).to.match(/partner access token obtained/);
    expect(output).to.match(/token request failed/);
    expect(output).to.match(/redis unavailable for partner tokens/);
    expect(output).to.match(/invalid_client/);
    expect(output).to.match(/\[redacted\]/);
    const basic = Buffer.from(`${DEV_CLIENT.id}:${DEV_CLIENT.secret}`).toString('base64');
    for (const secret of [DEV_CLIENT.secret, 'wrong-secret-value', basic, ...issued, ...mock.context.tokens.keys()]) {
      expect(output, 'a secret or token reached the log').to.not.include(secret);
    }
  });
});
