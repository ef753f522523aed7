import { expect } from 'chai';
import type { EventDeduplicator } from '../../src/domain/ports/event-deduplicator.js';
import { TYPES } from '../../src/types.js';
import { productHistory, type WirePartnerEvent } from '../../tools/mock-partner/partner-event-wire.js';
import { webhookHeaders } from '../../tools/mock-partner/sign-webhook.js';
import { jsonOf, problemOf, startTestService, type TestService } from '../support/test-service.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ROTATED = 'a-plain-text-secret-being-rotated-in';
const PATH = '/api/webhooks/partner';

describe('POST /api/webhooks/partner', () => {
  let service: TestService;

  const send = (body: string | Buffer, headers: Record<string, string>) =>
    fetch(`${service.url}${PATH}`, { method: 'POST', headers, body });
  const deliver = (event: WirePartnerEvent | string, secrets = [SECRET], options = {}) => {
    const body = typeof event === 'string' ? event : JSON.stringify(event);
    return send(body, webhookHeaders(secrets, body, options));
  };
  const inboxRows = async () => Number((await service.knex('partner_event_inbox').count({ n: '*' }).first())?.n);
  const productRows = async () => service.knex('products').select('sku', 'name', 'version', 'deleted').orderBy('sku');
  const search = async (word: string) => (await jsonOf(await fetch(`${service.url}/api/products?q=${word}`))).data;

  before(async () => {
    service = await startTestService({}, { WEBHOOK_SECRETS: `${SECRET},${ROTATED}`, WEBHOOK_BODY_LIMIT_BYTES: '4096' });
  });

  after(() => service.close());

  describe('accepted deliveries', () => {
    const [created, priceChange] = productHistory('OKRA-1', 2);

    it('POST, when a signed upsert arrives, applies it and answers 200 applied', async () => {
      const response = await deliver(created);
      expect(response.status).to.equal(200);
      expect(await jsonOf(response)).to.deep.equal({ eventId: created.id, status: 'applied' });
      const [product] = await search('okra');
      expect(product).to.include({ sku: 'OKRA-1', price: '31.00', stock: 11, category: 'vegetables' });
    });

    it('POST, when the same event is delivered again, answers 200 duplicate and writes nothing', async () => {
      const before = await inboxRows();
      const response = await deliver(created);
      expect(response.status).to.equal(200);
      expect(await jsonOf(response)).to.deep.equal({ eventId: created.id, status: 'duplicate' });
      expect(await inboxRows()).to.equal(before);
    });

    it('POST, when an event changes a cached listing, the next read is the old page marked STALE, and the change follows its rebuild', async () => {
      await search('okra');
      const cached = await fetch(`${service.url}/api/products?q=okra`);
      expect(cached.headers.get('x-cache')).to.equal('HIT');
      await deliver(priceChange);
      const next = await fetch(`${service.url}/api/products?q=okra`);
      expect(next.headers.get('x-cache')).to.equal('STALE');
      expect((await jsonOf(next)).data[0]).to.include({ price: '31.00' });
      let fresh = await fetch(`${service.url}/api/products?q=okra`);
      for (let attempt = 0; attempt < 100 && fresh.headers.get('x-cache') !== 'HIT'; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        fresh = await fetch(`${service.url}/api/products?q=okra`);
      }
      expect((await jsonOf(fresh)).data[0]).to.include({ price: '42.50' });
    });

    it('POST, when an older version arrives late, answers 200 superseded and keeps the newer state', async () => {
      const late = { ...productHistory('OKRA-1', 1)[0], id: 'evt_late_okra', data: { ...created.data, price: '1.00' } };
      const response = await deliver(late);
      expect(await jsonOf(response)).to.deep.equal({ eventId: 'evt_late_okra', status: 'superseded' });
      expect((await search('okra'))[0]).to.include({ price: '42.50' });
    });

    it('POST, when the type is unknown, acknowledges it with 200 ignored and records it', async () => {
      const event = { id: 'evt_review_1', type: 'product.reviewed', occurredAt: new Date().toISOString(), data: { stars: 5 } };
      const response = await deliver(event);
      expect(await jsonOf(response)).to.deep.equal({ eventId: 'evt_review_1', status: 'ignored' });
      const row = await service.knex('partner_event_inbox').where('event_id', 'evt_review_1').first();
      expect(row).to.include({ type: 'product.reviewed', outcome: 'ignored' });
      expect(JSON.parse(row.payload)).to.deep.equal(event);
    });

    it('POST, when signed with the second configured secret (a rotation), accepts it', async () => {
      const [event] = productHistory('ROT-1', 1);
      expect((await deliver(event, [ROTATED])).status).to.equal(200);
    });

    it('POST, when the signature header carries several signatures and one is valid, accepts it', async () => {
      const [event] = productHistory('ROT-2', 1);
      const body = JSON.stringify(event);
      const headers = webhookHeaders([SECRET], body);
      headers['webhook-signature'] = `v1,${Buffer.alloc(32, 7).toString('base64')} v2,whatever ${headers['webhook-signature']}`;
      expect((await send(body, headers)).status).to.equal(200);
    });

    it('POST, when the timestamp is just inside the 5-minute tolerance, either way, accepts it', async () => {
      const now = Math.floor(Date.now() / 1000);
      const [past, future] = productHistory('EDGE-1', 2);
      expect((await deliver(past, [SECRET], { timestampSeconds: now - 290 })).status).to.equal(200);
      expect((await deliver(future, [SECRET], { timestampSeconds: now + 290 })).status).to.equal(200);
    });
  });

  describe('rejected deliveries write nothing', () => {
    const [event] = productHistory('REJECT-1', 1);
    const body = JSON.stringify(event);
    let inboxBefore: number;
    let productsBefore: unknown[];

    beforeEach(async () => {
      inboxBefore = await inboxRows();
      productsBefore = await productRows();
    });

    afterEach(async () => {
      expect(await inboxRows(), 'inbox rows').to.equal(inboxBefore);
      expect(await productRows(), 'products').to.deep.equal(productsBefore);
    });

    const cases: [string, () => Record<string, string>, string | Buffer][] = [
      [
        'a forged signature',
        () => ({ ...webhookHeaders([SECRET], body), 'webhook-signature': `v1,${Buffer.alloc(32, 1).toString('base64')}` }),
        body,
      ],
      ['a wrong secret', () => webhookHeaders(['whsec_c29tZW9uZS1lbHNlcy1zZWNyZXQta2V5'], body), body],
      ['a tampered body', () => webhookHeaders([SECRET], body), body.replace('"stock":11', '"stock":99')],
      ['a stale timestamp', () => webhookHeaders([SECRET], body, { timestampSeconds: Math.floor(Date.now() / 1000) - 301 }), body],
      ['a future timestamp', () => webhookHeaders([SECRET], body, { timestampSeconds: Math.floor(Date.now() / 1000) + 301 }), body],
      ['a non-numeric timestamp', () => ({ ...webhookHeaders([SECRET], body), 'webhook-timestamp': '2026-11-24T10:00:00Z' }), body],
      ['a signature for another webhook-id', () => ({ ...webhookHeaders([SECRET], body), 'webhook-id': 'msg_other' }), body],
      ['a forged body that is not even JSON', () => ({ ...webhookHeaders([SECRET], body), 'webhook-signature': 'v1,AAAA' }), '{not json'],
    ];
    for (const header of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      cases.push([
        `no ${header} header`,
        () => {
          const headers = webhookHeaders([SECRET], body);
          delete headers[header];
          return headers;
        },
        body,
      ]);
    }

    for (const [label, headers, sentBody] of cases) {
      it(`POST, when the delivery has ${label}, answers 401 problem+json`, async () => {
        const problem = await problemOf(await send(sentBody, headers()), 401);
        expect(problem).to.include({ title: 'Invalid webhook signature', code: 'WEBHOOK_SIGNATURE_INVALID' });
      });
    }

    it('POST, when a signed body is not JSON, answers 400 Malformed JSON', async () => {
      const problem = await problemOf(await deliver('{"id": "evt_1", '), 400);
      expect(problem.title).to.equal('Malformed JSON');
    });

    it('POST, when a signed event is invalid, answers 400 naming each bad field', async () => {
      const bad = { ...event, data: { ...event.data, version: 0, price: '12.345' } };
      const problem = await problemOf(await deliver(bad), 400);
      expect(problem.errors!.map((e) => e.field).sort()).to.deep.equal(['data.price', 'data.version']);
    });

    it('POST, when the envelope lacks its id and time, answers 400 naming them', async () => {
      const problem = await problemOf(await deliver({ type: 'product.deleted', data: {} } as unknown as WirePartnerEvent), 400);
      expect(problem.errors!.map((e) => e.field).sort()).to.deep.equal(['id', 'occurredAt']);
    });

    it('POST, when the body is over the limit, answers 413', async () => {
      const big = { ...event, data: { ...event.data, description: 'x'.repeat(5_000) } };
      const problem = await problemOf(await deliver(big), 413);
      expect(problem.detail).to.match(/4096 bytes/);
    });

    it('POST, when a signed body is not application/json, answers 415', async () => {
      const headers = { ...webhookHeaders([SECRET], body), 'content-type': 'text/plain' };
      await problemOf(await send(body, headers), 415);
    });

    it('POST, when another delivery is processing the same event, answers 409 with Retry-After', async () => {
      const deduplicator = service.container.get<EventDeduplicator>(TYPES.EventDeduplicator);
      await deduplicator.claim(event.id, 4_000);
      const response = await deliver(event);
      const problem = await problemOf(response, 409);
      expect(problem.code).to.equal('EVENT_IN_PROGRESS');
      expect(Number(response.headers.get('retry-after'))).to.be.within(1, 4);
    });
  });
});
