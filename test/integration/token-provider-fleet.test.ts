import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'chai';
import { startMockPartner, type RunningMockPartner } from '../../tools/mock-partner/start-mock-partner.js';
import { REDIS_URL, createTestRedis, type TestRedis } from '../support/services.js';
import { spawnTokenWorker, type TokenWorker } from '../support/spawn-token-worker.js';
import { tokenKeyBase, tokenRequests } from '../support/token-fixtures.js';
import { describeWith } from '../support/backends.js';

const LEASE_MS = 2_000;

describeWith(['redis'], 'CachingTokenProvider over RedisTokenSource, across separate processes', function () {
  this.timeout(60_000);
  let mock: RunningMockPartner;
  let redis: TestRedis;
  let workers: TokenWorker[];

  const spawnWorkers = (count: number, concurrency: number) =>
    Array.from({ length: count }, () =>
      spawnTokenWorker({
        MOCK_URL: mock.url,
        REDIS_URL,
        KEY_PREFIX: redis.prefix,
        CONCURRENCY: String(concurrency),
        LOCK_LEASE_MS: String(LEASE_MS),
        LOCK_WAIT_MS: String(LEASE_MS * 5),
      }),
    );

  /** Polls `condition`; mocha's test timeout bounds the wait, so a loaded machine only makes it slower. */
  async function until(condition: () => Promise<boolean> | boolean) {
    while (!(await condition())) await delay(20);
  }

  beforeEach(async () => {
    mock = await startMockPartner();
    redis = await createTestRedis('token-fleet');
    workers = [];
  });

  afterEach(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await redis.cleanup();
    await mock.stop();
  });

  it('4 processes x 100 concurrent getToken calls, on a cold cache, reach the token endpoint exactly once and share the token', async () => {
    workers = spawnWorkers(4, 100);
    await Promise.all(workers.map((w) => w.next('ready')));
    // A little latency keeps the fetch in flight while every process piles in.
    mock.context.faults.latencyMs = 100;
    for (const worker of workers) worker.go();
    const results = await Promise.all(workers.map((w) => w.next('tokens')));

    for (const result of results) {
      expect(result.errors).to.deep.equal([]);
      expect(result.count).to.equal(100);
      expect(result.distinct).to.have.length(1);
    }
    expect(new Set(results.map((r) => (r.distinct as string[])[0])).size).to.equal(1);
    expect(tokenRequests(mock)).to.equal(1);
  });

  it('a lock holder killed mid-fetch, while another process waits, is replaced: the waiter waits out the renewed lease, then fetches the one token', async () => {
    workers = spawnWorkers(2, 1);
    const [holder, waiter] = workers;
    await Promise.all(workers.map((w) => w.next('ready')));
    // The holder's token request hangs at the mock; later requests are answered at once.
    Object.assign(mock.context.faults, { latencyMs: 600_000, paths: ['/oauth/token'], remaining: 1 });
    holder.go();
    const lockKey = `${tokenKeyBase(redis.prefix)}:lock`;
    await until(async () => mock.context.faults.remaining === 0 && (await redis.client.exists(lockKey)) === 1);

    waiter.go();
    await waiter.next('lockWait');
    // The live holder renews its lease (the lock's TTL goes back up), and the waiter keeps waiting.
    let lowest = await redis.client.pTTL(lockKey);
    await until(async () => {
      const ttl = await redis.client.pTTL(lockKey);
      if (ttl > lowest) return true;
      lowest = Math.min(lowest, ttl);
      return false;
    });
    expect(waiter.has('tokens'), 'the waiter took no token while the holder was alive').to.equal(false);
    holder.child.kill('SIGKILL');

    const result = await waiter.next('tokens');
    expect(result.errors).to.deep.equal([]);
    expect(result.count).to.equal(1);
    expect(await redis.client.exists(lockKey), "the dead holder's lock expired and the waiter released its own").to.equal(0);
    expect(tokenRequests(mock)).to.equal(1);
    const accepted = await fetch(`${mock.url}/oauth/whoami`, { headers: { authorization: `Bearer ${(result.distinct as string[])[0]}` } });
    expect(accepted.status).to.equal(200);
  });
});
