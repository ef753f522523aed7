import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { StandardWebhookVerifier } from '../../src/adapters/http/standard-webhook-verifier.js';
import { RegisterPartnerWebhook } from '../../src/application/register-partner-webhook.js';
import { DEV_CLIENT } from '../../tools/mock-partner/dev-credentials.js';
import { DEV_WEBHOOK_SECRET } from '../../tools/mock-partner/dev-webhook-secret.js';
import { productHistory } from '../../tools/mock-partner/partner-event-wire.js';
import { startMockPartner, type RunningMockPartner } from '../../tools/mock-partner/start-mock-partner.js';
import { jsonOf, startTestService, type TestService } from '../support/test-service.js';

const FAST_RETRIES = { webhooks: { backoffBaseMs: 20, backoffMaxMs: 100, maxAttempts: 4 } };

interface Received {
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** A bare receiver answering the given statuses in turn (the last one repeats), recording each request. */
async function startReceiver(statuses: number[]) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) });
      res.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)]!;
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function tokenFor(mock: RunningMockPartner) {
  const response = await fetch(`${mock.url}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${DEV_CLIENT.id}:${DEV_CLIENT.secret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

async function subscribe(mock: RunningMockPartner, url: string, authorization?: string) {
  return fetch(`${mock.url}/v1/webhook-subscriptions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ url, eventTypes: ['*'] }),
  });
}

const emit = async (mock: RunningMockPartner, request: object) =>
  jsonOf(await fetch(`${mock.url}/__emit`, { method: 'POST', body: JSON.stringify({ wait: true, ...request }) }));
const stats = async (mock: RunningMockPartner) => jsonOf(await fetch(`${mock.url}/__stats`));

describe('The mock partner webhook sender and the service registering with it', function () {
  this.timeout(30_000);
  let mock: RunningMockPartner;
  let service: TestService;
  let callbackUrl: string;

  before(async () => {
    mock = await startMockPartner(FAST_RETRIES);
    service = await startTestService(
      {},
      {
        WEBHOOK_SECRETS: DEV_WEBHOOK_SECRET,
        OAUTH_TOKEN_URL: `${mock.url}/oauth/token`,
        OAUTH_CLIENT_ID: DEV_CLIENT.id,
        OAUTH_CLIENT_SECRET: DEV_CLIENT.secret,
        PARTNER_API_URL: mock.url,
      },
    );
    callbackUrl = `${service.url}/api/webhooks/partner`;
  });

  after(async () => {
    await service.close();
    await mock.stop();
  });

  it('RegisterPartnerWebhook, when run twice, subscribes once and reports already-registered the second time', async () => {
    const register = service.container.get(RegisterPartnerWebhook);
    expect(await register.execute({ callbackUrl })).to.equal('created');
    expect(await register.execute({ callbackUrl })).to.equal('already-registered');
    const { subscriptions } = await jsonOf(await fetch(`${mock.url}/__webhooks`));
    expect(subscriptions.map((s: { url: string }) => s.url)).to.deep.equal([callbackUrl]);
    expect(subscriptions[0].eventTypes).to.deep.equal([
      'product.upserted',
      'product.price_changed',
      'product.stock_changed',
      'product.deleted',
    ]);
  });

  it('RegisterPartnerWebhook, when the partner revoked its token, gets a fresh one and still registers', async () => {
    await fetch(`${mock.url}/__oauth/revoke`, { method: 'POST' });
    expect(await service.container.get(RegisterPartnerWebhook).execute({ callbackUrl })).to.equal('already-registered');
  });

  it('POST /v1/webhook-subscriptions, without a bearer token, answers 401 and registers nothing', async () => {
    const before = (await jsonOf(await fetch(`${mock.url}/__webhooks`))).subscriptions.length;
    expect((await subscribe(mock, 'http://127.0.0.1:1/elsewhere')).status).to.equal(401);
    expect((await jsonOf(await fetch(`${mock.url}/__webhooks`))).subscriptions).to.have.length(before);
  });

  it('POST /__emit, with duplicates and reordering, delivers every event and the service applies each exactly once', async () => {
    const result = await emit(mock, {
      generate: { products: 20, eventsPerProduct: 9, prefix: 'EMIT' },
      duplicateRate: 0.5,
      reorder: true,
      concurrency: 8,
    });
    expect(result.events).to.equal(180);
    expect(result.deliveries).to.be.greaterThan(180);
    expect(result).to.include({ acknowledged: result.deliveries, 'gave-up': 0 });
    const counters = await stats(mock);
    expect(counters['webhooks.responses.200']).to.equal(result.deliveries);
    expect(counters['webhooks.duplicatesSent']).to.equal(result.deliveries - 180);

    const inbox = await service.knex('partner_event_inbox').count({ n: '*' }).where('sku', 'like', 'EMIT-%').first();
    expect(Number(inbox?.n)).to.equal(180);
    const rows = await service.knex('products').select('sku', 'version', 'deleted', 'price_paise').where('sku', 'like', 'EMIT-%');
    expect(rows).to.have.length(20);
    for (const row of rows) {
      // Version 9 is a stock change after the deletion at 7 and a price change at 8: still deleted.
      expect({ version: Number(row.version), deleted: Boolean(row.deleted), price: Number(row.price_paise) }, row.sku).to.deep.equal({
        version: 9,
        deleted: true,
        price: 4_850,
      });
    }
  });

  describe('delivery attempts against a bare receiver', () => {
    let sender: RunningMockPartner;

    beforeEach(async () => {
      sender = await startMockPartner(FAST_RETRIES);
    });

    afterEach(() => sender.stop());

    it('the sender, when the receiver answers non-2xx, retries with fresh signatures under one message id until a 2xx', async () => {
      const receiver = await startReceiver([503, 500, 200]);
      try {
        expect((await subscribe(sender, receiver.url, `Bearer ${await tokenFor(sender)}`)).status).to.equal(201);
        const [event] = productHistory('RETRY-1', 1);
        expect(await emit(sender, { events: [event] })).to.include({ deliveries: 1, acknowledged: 1 });
        const counters = await stats(sender);
        expect(counters).to.include({ 'webhooks.responses.503': 1, 'webhooks.responses.500': 1, 'webhooks.responses.200': 1 });
        expect(new Set(receiver.received.map((r) => r.headers['webhook-id']))).to.deep.equal(new Set([`msg_${event.id}`]));
        const verifier = new StandardWebhookVerifier([DEV_WEBHOOK_SECRET], 300);
        for (const { headers, body } of receiver.received) {
          verifier.verify(
            { id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'] },
            body,
          );
          expect(JSON.parse(body.toString())).to.deep.equal(event);
        }
      } finally {
        await receiver.close();
      }
    });

    it('the sender, when the receiver never answers 2xx, gives up after the configured attempts', async () => {
      const receiver = await startReceiver([500]);
      try {
        await subscribe(sender, receiver.url, `Bearer ${await tokenFor(sender)}`);
        expect(await emit(sender, { events: productHistory('GIVEUP-1', 1) })).to.include({ acknowledged: 0, 'gave-up': 1 });
        expect(await stats(sender)).to.include({ 'webhooks.responses.500': 4, 'webhooks.gaveUp': 1 });
      } finally {
        await receiver.close();
      }
    });

    it('POST /__emit, when the body names no events, answers 400', async () => {
      const response = await fetch(`${sender.url}/__emit`, { method: 'POST', body: '{"duplicateRate": 1}' });
      expect(response.status).to.equal(400);
    });
  });
});
