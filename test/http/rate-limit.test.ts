import { expect } from 'chai';
import { createClient } from 'redis';
import { clientKey } from '../../src/adapters/http/client-key.js';
import type { RedisClient } from '../../src/adapters/redis/redis-client.js';
import { startEdgeService, type EdgeService } from '../support/edge-service.js';
import { REDIS_URL, createTestRedis, type TestRedis } from '../support/services.js';
import { problemOf } from '../support/test-service.js';
import { describeWith } from '../support/backends.js';

const TIGHT = {
  RATE_LIMIT_PUBLIC_POINTS: '3',
  RATE_LIMIT_PUBLIC_WINDOW_SECONDS: '60',
  RATE_LIMIT_WEBHOOK_POINTS: '2',
  RATE_LIMIT_WEBHOOK_WINDOW_SECONDS: '60',
};
// Short enough to wait out, long enough that a loaded machine sends the first requests within it.
const RECOVERING = { ...TIGHT, RATE_LIMIT_PUBLIC_WINDOW_SECONDS: '2' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const budgetOf = (response: Response) => ({
  limit: response.headers.get('ratelimit-limit'),
  remaining: response.headers.get('ratelimit-remaining'),
});

/** Waits out a 429's window: its Retry-After, plus a little for the store's clock. */
async function waitOut(limited: Response) {
  const seconds = Number(limited.headers.get('retry-after'));
  expect(seconds).to.be.within(1, 2);
  await sleep(seconds * 1000 + 150);
}

describe('Rate limiting, kept in process (the embedded default)', function () {
  this.timeout(20_000);
  let service: EdgeService;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${service.url}${path}`, { headers });
  const postWebhook = () =>
    fetch(`${service.url}/api/webhooks/partner`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

  afterEach(() => service?.close());

  it('the public API, when a client spends its budget, answers 429 problem+json with Retry-After and RateLimit headers, then serves it again after the window', async () => {
    service = await startEdgeService(RECOVERING);
    for (const remaining of ['2', '1', '0']) {
      const ok = await get('/api/products');
      expect(ok.status).to.equal(200);
      expect(budgetOf(ok)).to.deep.equal({ limit: '3', remaining });
      expect(Number(ok.headers.get('ratelimit-reset'))).to.be.within(0, 2);
      expect(ok.headers.get('ratelimit-policy')).to.equal('3;w=2');
      expect(ok.headers.get('retry-after')).to.equal(null);
    }
    const limited = await get('/api/products/1');
    const problem = await problemOf(limited, 429);
    expect(problem.title).to.equal('Too many requests');
    expect(budgetOf(limited)).to.deep.equal({ limit: '3', remaining: '0' });
    expect(limited.headers.get('x-content-type-options')).to.equal('nosniff');
    await waitOut(limited);
    const again = await get('/api/products');
    expect(again.status).to.equal(200);
    expect(budgetOf(again)).to.deep.equal({ limit: '3', remaining: '2' });
  });

  it('health, metrics and docs, when the public budget is spent, still answer and show no budget', async () => {
    service = await startEdgeService(TIGHT);
    for (let i = 0; i < 4; i += 1) await get('/api/products');
    expect((await get('/api/products')).status).to.equal(429);
    for (const path of ['/livez', '/readyz', '/metrics', '/openapi.json', '/docs']) {
      for (let i = 0; i < 5; i += 1) {
        const response = await get(path);
        expect(response.status, path).to.equal(200);
        expect(response.headers.get('ratelimit-limit'), path).to.equal(null);
      }
    }
  });

  it('the webhook route, when the public budget is spent, has its own budget, and spending it leaves the public one alone', async () => {
    service = await startEdgeService(TIGHT);
    for (let i = 0; i < 3; i += 1) await get('/api/products');
    expect((await get('/api/products')).status).to.equal(429);
    for (const remaining of ['1', '0']) {
      const unsigned = await postWebhook();
      expect(unsigned.status).to.equal(401);
      expect(budgetOf(unsigned)).to.deep.equal({ limit: '2', remaining });
    }
    await problemOf(await postWebhook(), 429);

    await service.close();
    service = await startEdgeService(TIGHT);
    for (let i = 0; i < 2; i += 1) await postWebhook();
    expect((await postWebhook()).status).to.equal(429);
    expect(budgetOf(await get('/api/products'))).to.deep.equal({ limit: '3', remaining: '2' });
  });

  it('the public budget, when a client changes the path case or percent-encodes it, is spent all the same', async () => {
    service = await startEdgeService(TIGHT);
    expect(budgetOf(await get('/API/products'))).to.deep.equal({ limit: '3', remaining: '2' });
    expect(budgetOf(await get('/%61pi/products'))).to.deep.equal({ limit: '3', remaining: '1' });
    expect(budgetOf(await get('/Api/Products/1'))).to.deep.equal({ limit: '3', remaining: '0' });
    expect((await get('/API/PRODUCTS')).status).to.equal(429);
  });

  it('X-Forwarded-For, when TRUST_PROXY is off, is ignored: a client cannot buy a fresh budget by spoofing it', async () => {
    service = await startEdgeService(TIGHT);
    for (const spoofed of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
      expect((await get('/api/products', { 'X-Forwarded-For': spoofed })).status).to.equal(200);
    }
    expect((await get('/api/products', { 'X-Forwarded-For': '198.51.100.4' })).status).to.equal(429);
  });

  it('clients behind a trusted proxy (TRUST_PROXY=1), when they arrive with different addresses, have separate budgets keyed on the address the proxy appended', async () => {
    service = await startEdgeService({ ...TIGHT, TRUST_PROXY: '1' });
    // The client prepends fake entries; only the right-most one, added by our proxy, counts.
    for (const fake of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) {
      expect((await get('/api/products', { 'X-Forwarded-For': `${fake}, 203.0.113.7` })).status).to.equal(200);
    }
    expect((await get('/api/products', { 'X-Forwarded-For': '10.0.0.4, 203.0.113.7' })).status).to.equal(429);
    expect(budgetOf(await get('/api/products', { 'X-Forwarded-For': '203.0.113.8' }))).to.deep.equal({ limit: '3', remaining: '2' });
  });

  it('IPv6 clients behind a trusted proxy, when they rotate addresses within one /64, share one budget', async () => {
    service = await startEdgeService({ ...TIGHT, TRUST_PROXY: 'true' });
    for (const address of ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2:ffff::3']) {
      expect((await get('/api/products', { 'X-Forwarded-For': address })).status).to.equal(200);
    }
    expect((await get('/api/products', { 'X-Forwarded-For': '2001:db8:1:2::4' })).status).to.equal(429);
    expect((await get('/api/products', { 'X-Forwarded-For': '2001:db8:1:3::1' })).status).to.equal(200);
  });

  it('rate limiting, when RATE_LIMIT_ENABLED=false, sends no RateLimit headers and never answers 429', async () => {
    service = await startEdgeService({ ...TIGHT, RATE_LIMIT_ENABLED: 'false' });
    for (let i = 0; i < 10; i += 1) {
      const response = await get('/api/products');
      expect(response.status).to.equal(200);
      expect(response.headers.get('ratelimit-limit')).to.equal(null);
    }
  });

  it('a budget, when its points are 0, is off while the other still applies', async () => {
    service = await startEdgeService({ ...TIGHT, RATE_LIMIT_PUBLIC_POINTS: '0' });
    for (let i = 0; i < 6; i += 1) expect((await get('/api/products')).status).to.equal(200);
    expect(budgetOf(await postWebhook())).to.deep.equal({ limit: '2', remaining: '1' });
  });
});

describe('clientKey', () => {
  it('an IPv4 address, plain or IPv4-mapped, when keyed, is the address itself', () => {
    expect(clientKey('203.0.113.7')).to.equal('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).to.equal('203.0.113.7');
  });

  it('an IPv6 address, in any spelling, when keyed, is its /64 network', () => {
    expect(clientKey('2001:db8:1:2::1')).to.equal('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:aaaa:bbbb:cccc:dddd')).to.equal('2001:db8:1:2::/64');
    expect(clientKey('2001:db8::1')).to.equal('2001:db8:0:0::/64');
    expect(clientKey('::1')).to.equal('0:0:0:0::/64');
    expect(clientKey('fe80::1%eth0')).to.equal('fe80:0:0:0::/64');
    expect(clientKey('64:ff9b::192.0.2.1')).to.equal('64:ff9b:0:0::/64');
  });

  it('something that is not an address (a trusted proxy passed garbage), when keyed, is kept as it is', () => {
    expect(clientKey('not-an-ip')).to.equal('not-an-ip');
    expect(clientKey('')).to.equal('unknown');
  });
});

describeWith(['redis'], 'Rate limiting on Redis', function () {
  this.timeout(20_000);
  let redis: TestRedis;
  let services: EdgeService[] = [];

  beforeEach(async () => {
    redis = await createTestRedis('ratelimit');
  });

  afterEach(async () => {
    await Promise.all(services.map((s) => s.close()));
    services = [];
    await redis.cleanup();
  });

  const start = async (env: Record<string, string>, client: RedisClient = redis.client) => {
    const service = await startEdgeService({ ...TIGHT, REDIS_KEY_PREFIX: redis.prefix, ...env }, { redis: client });
    services.push(service);
    return service;
  };

  it('two instances sharing Redis, when one client spreads requests over both, share one budget and both recover after the window', async () => {
    const [a, b] = [await start(RECOVERING), await start(RECOVERING)];
    expect(budgetOf(await fetch(`${a.url}/api/products`))).to.deep.equal({ limit: '3', remaining: '2' });
    expect(budgetOf(await fetch(`${b.url}/api/products`))).to.deep.equal({ limit: '3', remaining: '1' });
    expect(budgetOf(await fetch(`${a.url}/api/products`))).to.deep.equal({ limit: '3', remaining: '0' });
    const limited = await fetch(`${b.url}/api/products`);
    await problemOf(limited, 429);
    await problemOf(await fetch(`${a.url}/api/products`), 429);
    expect(await redis.client.exists(`${redis.prefix}ratelimit:public:127.0.0.1`)).to.equal(1);
    await waitOut(limited);
    expect((await fetch(`${a.url}/api/products`)).status).to.equal(200);
    expect((await fetch(`${b.url}/api/products`)).status).to.equal(200);
  });

  it('each request, when limited on Redis, costs one command (one EVAL), and a client already over budget costs none', async () => {
    const service = await start({});
    const monitor = redis.client.duplicate();
    await monitor.connect();
    const seen: string[] = [];
    await monitor.monitor((line) => {
      if (line.includes(redis.prefix) && !line.includes('lua]')) seen.push(line);
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i += 1) statuses.push((await fetch(`${service.url}/api/products`)).status);
      await sleep(100);
      expect(statuses).to.deep.equal([200, 200, 200, 429, 429, 429]);
      // 3 allowed + the first refused; the next two are refused from memory until the window ends.
      expect(seen).to.have.length(4);
      for (const line of seen) expect(line.toLowerCase()).to.match(/"eval"/);
    } finally {
      monitor.destroy();
    }
  });

  it('Redis, when unreachable, lets requests through without RateLimit headers and logs one throttled warning', async () => {
    const unreachable = createClient({ url: 'redis://127.0.0.1:1', disableOfflineQueue: true, socket: { reconnectStrategy: false } });
    unreachable.on('error', () => undefined);
    await unreachable.connect().catch(() => undefined);
    const service = await start({}, unreachable);
    for (let i = 0; i < 20; i += 1) {
      const response = await fetch(`${service.url}/api/products`);
      expect(response.status).to.equal(200);
      expect(response.headers.get('ratelimit-limit')).to.equal(null);
    }
    const warnings = service.logs.filter((line) => String(line.msg).includes('failing open'));
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.include({ budget: 'public' });
    const metrics = await service.registry.getSingleMetricAsString('http_rate_limit_decisions_total');
    expect(metrics).to.match(/budget="public",decision="failed_open"} 20/);
  });

  it('Redis, when it comes back, is used again: budgets apply without a restart', async () => {
    const client = createClient({ url: REDIS_URL, disableOfflineQueue: true, socket: { reconnectStrategy: false } });
    client.on('error', () => undefined);
    const service = await start({}, client);
    expect((await fetch(`${service.url}/api/products`)).headers.get('ratelimit-limit')).to.equal(null);
    await client.connect();
    try {
      expect(budgetOf(await fetch(`${service.url}/api/products`))).to.deep.equal({ limit: '3', remaining: '2' });
    } finally {
      client.destroy();
    }
  });
});
