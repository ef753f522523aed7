import { expect } from 'chai';
import { callWithToken } from '../../src/adapters/partner/call-with-token.js';
import { startMockPartner, type RunningMockPartner } from '../../tools/mock-partner/start-mock-partner.js';
import { createTestRedis, type TestRedis } from '../support/services.js';
import { inMemoryProvider, redisProvider, tokenRequests } from '../support/token-fixtures.js';
import { describeWith } from '../support/backends.js';

describeWith(['redis'], 'callWithToken against the mock partner', () => {
  let mock: RunningMockPartner;
  let redis: TestRedis;

  const whoami = (url: string) => (authorization: string) => fetch(`${url}/oauth/whoami`, { headers: { authorization } });
  const revokeAll = () => fetch(`${mock.url}/__oauth/revoke`, { method: 'POST' });

  beforeEach(async () => {
    mock = await startMockPartner();
    redis = await createTestRedis('call-with-token');
  });

  afterEach(async () => {
    await redis.cleanup();
    await mock.stop();
  });

  it('callWithToken, when the token is accepted, sends once', async () => {
    const response = await callWithToken(inMemoryProvider(mock.url), whoami(mock.url));
    expect(response.status).to.equal(200);
    expect(mock.context.stats.get('oauth.whoami')).to.equal(1);
  });

  it('callWithToken, when the partner answers 401 invalid_token, refreshes exactly once and retries exactly once', async () => {
    const provider = inMemoryProvider(mock.url);
    const stale = await provider.getToken();
    await revokeAll();
    const used: string[] = [];
    const response = await callWithToken(provider, (authorization, token) => {
      used.push(token.value);
      return whoami(mock.url)(authorization);
    });
    expect(response.status).to.equal(200);
    expect(used).to.have.length(2);
    expect(used[0]).to.equal(stale.value);
    expect(used[1]).to.not.equal(stale.value);
    expect(tokenRequests(mock)).to.equal(2);
    expect(mock.context.stats.get('auth.invalidToken')).to.equal(1);
  });

  it('callWithToken, when the retry is rejected too, returns that 401 instead of looping', async () => {
    let sends = 0;
    const response = await callWithToken(inMemoryProvider(mock.url), async () => {
      sends += 1;
      return new Response(JSON.stringify({ error: 'invalid_token' }), {
        status: 401,
        headers: { 'content-type': 'application/json' },
      });
    });
    expect(response.status).to.equal(401);
    expect(sends).to.equal(2);
    expect(tokenRequests(mock)).to.equal(2);
  });

  it('callWithToken, when the 401 is not invalid_token, returns it without refreshing', async () => {
    let sends = 0;
    const response = await callWithToken(inMemoryProvider(mock.url), async () => {
      sends += 1;
      return new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer realm="x"' } });
    });
    expect(response.status).to.equal(401);
    expect(sends).to.equal(1);
    expect(tokenRequests(mock)).to.equal(1);
  });

  it('two instances, when both hit 401 with the same revoked token, fetch one new token between them', async () => {
    const a = redisProvider(redis.client, redis.prefix, mock.url);
    const b = redisProvider(redis.client, redis.prefix, mock.url);
    expect((await a.getToken()).value).to.equal((await b.getToken()).value);
    await revokeAll();
    expect((await callWithToken(a, whoami(mock.url))).status).to.equal(200);
    // b still holds the revoked token in memory; its eviction must not remove a's new token.
    expect((await callWithToken(b, whoami(mock.url))).status).to.equal(200);
    expect((await a.getToken()).value).to.equal((await b.getToken()).value);
    expect(tokenRequests(mock)).to.equal(2);
  });
});
