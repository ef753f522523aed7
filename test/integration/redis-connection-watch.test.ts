import { expect } from 'chai';
import { pino } from 'pino';
import { setTimeout as delay } from 'node:timers/promises';
import type { RedisClient } from '../../src/adapters/redis/redis-client.js';
import { createRedisClient } from '../../src/infrastructure/create-redis-client.js';
import { PrivateRedisServer } from '../support/private-redis-server.js';
import { describeWith } from '../support/backends.js';

describeWith(['redis'], 'createRedisClient against a Redis that stops answering', function () {
  this.timeout(20_000);
  let server: PrivateRedisServer;
  let client: RedisClient;

  before(async () => {
    server = await PrivateRedisServer.start();
    client = await createRedisClient(server.url, pino({ level: 'silent' }));
  });

  after(async () => {
    if (client?.isOpen) client.destroy();
    await server?.kill();
  });

  it('a pending command, when the server freezes, fails instead of waiting forever, and the client recovers after', async () => {
    await client.set('watch', 'before');
    server.pause();
    try {
      await expect(client.get('watch')).to.be.rejected;
    } finally {
      server.resume();
    }
    let answer: string | null | undefined;
    for (let attempt = 0; attempt < 100 && answer === undefined; attempt += 1) {
      answer = await client.get('watch').catch(async () => {
        await delay(100);
        return undefined;
      });
    }
    expect(answer).to.equal('before');
  });
});
