import { expect } from 'chai';
import type { CachingTokenProvider } from '../../src/adapters/oauth/caching-token-provider.js';
import { TokenRequestRejectedError } from '../../src/domain/errors/token-request-rejected-error.js';
import { TokenUnavailableError } from '../../src/domain/errors/token-unavailable-error.js';
import { startMockPartner, type RunningMockPartner } from '../../tools/mock-partner/start-mock-partner.js';
import { createTestRedis, type TestRedis } from '../support/services.js';
import { inMemoryProvider, ManualClock, redisProvider, tokenKeyBase, tokenRequests } from '../support/token-fixtures.js';
import { describeWith } from '../support/backends.js';

const LIFETIME_S = 300;
const SKEW_MS = 60_000;

describeWith(['redis'], 'Token providers over time and under failure', function () {
  this.timeout(60_000);
  let mock: RunningMockPartner;
  let redis: TestRedis;

  beforeEach(async () => {
    mock = await startMockPartner({ tokenLifetimeSeconds: LIFETIME_S });
    redis = await createTestRedis('token-provider');
  });

  afterEach(async () => {
    await redis.cleanup();
    await mock.stop();
  });

  // One simulated hour, a caller on every instance each second; background refreshes settle
  // before the clock moves, so the count depends only on lifetime, skew and the fraction.
  async function simulateHour(clock: ManualClock, providers: CachingTokenProvider[]) {
    const start = clock.now();
    for (let second = 0; second < 3600; second += 1) {
      for (const provider of providers) {
        const token = await provider.getToken();
        expect(token.expiresAt - clock.now(), `at ${second} s`).to.be.at.least(SKEW_MS);
      }
      await Promise.all(providers.map((p) => p.whenIdle()));
      clock.advance(1000);
    }
    expect(clock.now() - start).to.equal(3_600_000);
  }

  for (const fraction of [1, 0.75]) {
    const interval = (LIFETIME_S * 1000 - SKEW_MS) * fraction;
    const expected = Math.ceil(3_600_000 / interval);

    it(`an in-process provider, over one simulated hour with ${LIFETIME_S} s tokens and refresh-ahead ${fraction}, fetches exactly ${expected} times and never hands out an expired token`, async () => {
      const clock = new ManualClock();
      await simulateHour(clock, [inMemoryProvider(mock.url, { clock, cache: { refreshAheadFraction: fraction } })]);
      expect(tokenRequests(mock)).to.equal(expected);
    });

    it(`two Redis providers sharing a cache, over one simulated hour with refresh-ahead ${fraction}, fetch exactly ${expected} times between them`, async () => {
      const clock = new ManualClock();
      const make = () => redisProvider(redis.client, redis.prefix, mock.url, { clock, cache: { refreshAheadFraction: fraction } });
      await simulateHour(clock, [make(), make()]);
      expect(tokenRequests(mock)).to.equal(expected);
    });
  }

  it('refresh-ahead, when a token passes the fraction, keeps serving it while one caller fetches the next in the background', async () => {
    const clock = new ManualClock();
    const provider = inMemoryProvider(mock.url, { clock, cache: { refreshAheadFraction: 0.5 } });
    const first = await provider.getToken();
    clock.advance(121_000);
    mock.context.faults.latencyMs = 200;
    const during = await Promise.all(Array.from({ length: 10 }, () => provider.getToken()));
    expect(during.every((t) => t.value === first.value)).to.equal(true);
    await provider.whenIdle();
    const after = await provider.getToken();
    expect(after.value).to.not.equal(first.value);
    expect(tokenRequests(mock)).to.equal(2);
  });

  it('refresh-ahead, when the background refresh fails, keeps the current token until it is no longer usable', async () => {
    const clock = new ManualClock();
    const provider = inMemoryProvider(mock.url, { clock, cache: { refreshAheadFraction: 0.5 }, endpoint: { retries: 0 } });
    const first = await provider.getToken();
    Object.assign(mock.context.faults, { errorRate: 1 });
    clock.advance(200_000);
    expect((await provider.getToken()).value).to.equal(first.value);
    await provider.whenIdle();
    expect((await provider.getToken()).value).to.equal(first.value);
    clock.advance(40_000);
    await expect(provider.getToken()).to.be.rejectedWith(TokenUnavailableError);
  });

  it('getToken, after invalid_client, answers every caller from the cooldown without a retry storm, then asks again', async () => {
    const clock = new ManualClock();
    const provider = inMemoryProvider(mock.url, { clock, endpoint: { clientSecret: 'wrong' }, cache: { rejectionCooldownMs: 10_000 } });
    for (let i = 0; i < 20; i += 1) {
      await expect(provider.getToken()).to.be.rejectedWith(TokenRequestRejectedError, /invalid_client/);
    }
    expect(tokenRequests(mock)).to.equal(1);
    clock.advance(10_001);
    await expect(provider.getToken()).to.be.rejectedWith(TokenRequestRejectedError);
    expect(tokenRequests(mock)).to.equal(2);
  });

  it('getToken, during the refusal cooldown, reports what is left of it as retryAfterMs, here and on other instances', async () => {
    const clock = new ManualClock();
    const options = { clock, endpoint: { clientSecret: 'wrong' }, cache: { rejectionCooldownMs: 10_000 } };
    const first = await redisProvider(redis.client, redis.prefix, mock.url, options)
      .getToken()
      .catch((e: unknown) => e);
    expect((first as TokenRequestRejectedError).retryAfterMs).to.equal(10_000);
    clock.advance(4_000);
    const peer = await redisProvider(redis.client, redis.prefix, mock.url, options)
      .getToken()
      .catch((e: unknown) => e);
    expect((peer as TokenRequestRejectedError).retryAfterMs).to.equal(6_000);
    const local = inMemoryProvider(mock.url, options);
    await local.getToken().catch(() => undefined);
    clock.advance(2_500);
    const repeated = await local.getToken().catch((e: unknown) => e);
    expect((repeated as TokenRequestRejectedError).retryAfterMs).to.equal(7_500);
    expect(tokenRequests(mock)).to.equal(2);
  });

  it('getToken, when one instance was refused, gives other instances the same error from Redis without a request', async () => {
    const options = { endpoint: { clientSecret: 'wrong' } };
    await expect(redisProvider(redis.client, redis.prefix, mock.url, options).getToken()).to.be.rejectedWith(TokenRequestRejectedError);
    await expect(redisProvider(redis.client, redis.prefix, mock.url, options).getToken()).to.be.rejectedWith(
      TokenRequestRejectedError,
      /invalid_client/,
    );
    expect(tokenRequests(mock)).to.equal(1);
  });

  it('getToken, when the token endpoint answers 5xx, retries with backoff and the caller still gets a token', async () => {
    Object.assign(mock.context.faults, { errorRate: 1, remaining: 2 });
    const token = await redisProvider(redis.client, redis.prefix, mock.url).getToken();
    expect(token.value).to.not.equal('');
    expect(mock.context.stats.get('faults.errors')).to.equal(2);
    expect(tokenRequests(mock)).to.equal(1);
  });

  it('getToken, when another instance holds the lock and never stores a token, gives up at the deadline with a clear error', async () => {
    await redis.client.set(`${tokenKeyBase(redis.prefix)}:lock`, 'someone-else', { expiration: { type: 'PX', value: 30_000 } });
    const provider = redisProvider(redis.client, redis.prefix, mock.url, { lockLeaseMs: 200, lockWaitMs: 300 });
    await expect(provider.getToken()).to.be.rejectedWith(TokenUnavailableError, /waited 300 ms for another instance/);
    expect(tokenRequests(mock)).to.equal(0);
  });

  it('the lock, when a fetch finishes, is released so the next cold fetch does not wait', async () => {
    const provider = redisProvider(redis.client, redis.prefix, mock.url);
    const token = await provider.getToken();
    expect(await redis.client.exists(`${tokenKeyBase(redis.prefix)}:lock`)).to.equal(0);
    const ttl = await redis.client.pTTL(`${tokenKeyBase(redis.prefix)}:token`);
    expect(ttl).to.be.within(1, LIFETIME_S * 1000 - SKEW_MS);
    expect(token.expiresAt).to.be.greaterThan(Date.now());
  });
});
