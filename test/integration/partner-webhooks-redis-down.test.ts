import { expect } from 'chai';
import { createClient } from 'redis';
import type { RedisClient } from '../../src/adapters/redis/redis-client.js';
import { RedisCatalogCache } from '../../src/adapters/redis/redis-catalog-cache.js';
import { RedisEventDeduplicator } from '../../src/adapters/redis/redis-event-deduplicator.js';
import { productHistory } from '../../tools/mock-partner/partner-event-wire.js';
import { webhookHeaders } from '../../tools/mock-partner/sign-webhook.js';
import { jsonOf, startTestService, type TestService } from '../support/test-service.js';

const SECRET = 'whsec_cmVkaXMtaXMtZG93bi10ZXN0LXNlY3JldA==';

describe('Partner webhooks with Redis unreachable', () => {
  let service: TestService;
  let redis: RedisClient;

  before(async () => {
    // Never connected, no offline queue: every command fails at once, as the service's client does while Redis is down.
    redis = createClient({ url: 'redis://127.0.0.1:1', disableOfflineQueue: true });
    service = await startTestService(
      { EventDeduplicator: new RedisEventDeduplicator(redis, 'down:'), CatalogCache: new RedisCatalogCache(redis, 'down:') },
      { WEBHOOK_SECRETS: SECRET },
    );
  });

  after(() => service.close());

  it('POST, when Redis cannot answer, applies each event once through the database inbox and never answers 5xx', async () => {
    const events = productHistory('DOWN-1', 5);
    const deliveries = [...events, ...events, events[2]];
    const statuses = await Promise.all(
      deliveries.map(async (event) => {
        const body = JSON.stringify(event);
        const response = await fetch(`${service.url}/api/webhooks/partner`, {
          method: 'POST',
          headers: webhookHeaders([SECRET], body),
          body,
        });
        return [response.status, (await jsonOf(response)).status] as const;
      }),
    );
    expect(
      statuses.every(([status]) => status === 200),
      JSON.stringify(statuses),
    ).to.equal(true);
    expect(statuses.filter(([, outcome]) => outcome === 'duplicate')).to.have.length(6);
    const inbox = await service.knex('partner_event_inbox').count({ n: '*' }).where('sku', 'DOWN-1').first();
    expect(Number(inbox?.n)).to.equal(5);
    expect(await service.knex('products').where('sku', 'DOWN-1').first()).to.include({ version: 5 });
  });
});
