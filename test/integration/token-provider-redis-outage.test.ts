import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'chai';
import { pino } from 'pino';
import type { RedisClient } from '../../src/adapters/redis/redis-client.js';
import type { Logger } from '../../src/domain/ports/logger.js';
import { createRedisClient } from '../../src/infrastructure/create-redis-client.js';
import { startMockPartner, type RunningMockPartner } from '../../tools/mock-partner/start-mock-partner.js';
import { PrivateRedisServer } from '../support/private-redis-server.js';
import { ManualClock, redisProvider, tokenRequests } from '../support/token-fixtures.js';
import { describeWith } from '../support/backends.js';

describeWith(['redis'], 'CachingTokenProvider over RedisTokenSource, when Redis stops mid-run', function () {
  this.timeout(30_000);
  let mock: RunningMockPartner;
  let server: PrivateRedisServer;
  let clients: RedisClient[];
  const messages: string[] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: (_fields, message) => void messages.push(message),
    warn: (_fields, message) => void messages.push(message),
    error: (_fields, message) => void messages.push(message),
  };

  async function until(condition: () => boolean, what: string) {
    const deadline = Date.now() + 15_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await delay(25);
    }
  }

  before(async () => {
    mock = await startMockPartner({ tokenLifetimeSeconds: 300 });
    server = await PrivateRedisServer.start();
    clients = await Promise.all([1, 2].map(() => createRedisClient(server.url, pino({ level: 'silent' }))));
  });

  after(async () => {
    for (const client of clients) if (client.isOpen) client.destroy();
    await server.kill();
    await mock.stop();
  });

  it('tokens keep coming to every instance while Redis is down, and sharing resumes when it returns', async () => {
    const clock = new ManualClock();
    const [a, b] = clients.map((client) => redisProvider(client, 'outage:', mock.url, { clock, logger }));

    const shared = await a.getToken();
    expect((await b.getToken()).value).to.equal(shared.value);
    expect(tokenRequests(mock)).to.equal(1);

    await server.kill();
    await until(() => clients.every((c) => !c.isReady), 'the clients to notice Redis is gone');
    await a.invalidate(shared);
    await b.invalidate(shared);
    const [fromA, fromB] = await Promise.all([a.getToken(), b.getToken()]);
    const more = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).getToken()));
    expect(fromA.value).to.not.equal(shared.value);
    expect(fromB.value).to.not.equal(shared.value);
    expect(fromA.value, 'each instance fetched for itself').to.not.equal(fromB.value);
    expect(more.every((t) => t.value === fromA.value || t.value === fromB.value)).to.equal(true);
    expect(tokenRequests(mock)).to.equal(3);
    expect(messages).to.include('redis unavailable for partner tokens; this instance fetches its own tokens until it answers again');

    await server.restart();
    await until(() => clients.every((c) => c.isReady), 'the clients to reconnect');
    clock.advance(241_000);
    const resumed = await a.getToken();
    expect((await b.getToken()).value).to.equal(resumed.value);
    expect(tokenRequests(mock)).to.equal(4);
    expect(messages).to.include('redis answers again for partner tokens; sharing resumed');
  });
});
