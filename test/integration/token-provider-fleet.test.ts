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

  async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await delay(20);
    }
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

  it('a lock holder killed mid-fetch, while another process waits, is replaced: the waiter gets a token within lease + 1 s', async () => {
    workers = spawnWorkers(2, 1);
    const [holder, waiter] = workers;
    await Promise.all(workers.map((w) => w.next('ready')));
    // The holder's token request hangs at the mock; later requests are answered at once.
    Object.assign(mock.context.faults, { latencyMs: 600_000, paths: ['/oauth/token'], remaining: 1 });
    holder.go();
    const lockKey = `${tokenKeyBase(redis.prefix)}:lock`;
    await until(async () => mock.context.faults.remaining === 0 && (await redis.client.exists(lockKey)) === 1, 'the holder to take the lock and call the endpoint');

    waiter.go();
    await waiter.next('lockWait');
    holder.child.kill('SIGKILL');
    const killedAt = Date.now();

    const result = await waiter.next('tokens');
    expect(result.errors).to.deep.equal([]);
    expect(result.count).to.equal(1);
    const waitedMs = (result.at as number) - killedAt;
    // The waiter honoured the lease (renewed every lease/3 until the kill) and took over right after.
    expect(waitedMs).to.be.at.least(LEASE_MS / 2);
    expect(waitedMs).to.be.at.most(LEASE_MS + 1_000);
    expect(tokenRequests(mock)).to.equal(1);
    const accepted = await fetch(`${mock.url}/oauth/whoami`, { headers: { authorization: `Bearer ${(result.distinct as string[])[0]}` } });
    expect(accepted.status).to.equal(200);
  });
});
