import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from '@koa/router';
import { expect } from 'chai';
import { Registry } from 'prom-client';
import { createHttpApp } from '../../src/adapters/http/create-http-app.js';
import { HttpMetrics } from '../../src/adapters/http/http-metrics.js';
import { jsonBody } from '../../src/adapters/http/middleware/json-body.js';
import { createLogger } from '../../src/infrastructure/create-logger.js';
import { problemOf, startTestService, type TestService } from '../support/test-service.js';

describe('The HTTP edge', () => {
  let service: TestService;

  before(async () => {
    service = await startTestService();
  });

  after(() => service.close());

  it('an unknown route, when requested, answers 404 problem+json', async () => {
    const problem = await problemOf(await fetch(`${service.url}/no/such/thing`), 404);
    expect(problem.instance).to.equal('/no/such/thing');
  });

  it('a known route, when called with the wrong method, answers 405 with Allow', async () => {
    const response = await fetch(`${service.url}/api/products`, { method: 'DELETE' });
    await problemOf(response, 405);
    expect(response.headers.get('allow')).to.contain('GET');
  });

  it('X-Request-Id, when the caller sends a well-formed one, is echoed and used in problems', async () => {
    const response = await fetch(`${service.url}/nowhere`, { headers: { 'X-Request-Id': 'abc-123.x' } });
    expect(response.headers.get('x-request-id')).to.equal('abc-123.x');
    expect((await problemOf(response, 404)).requestId).to.equal('abc-123.x');
  });

  it('X-Request-Id, when the caller sends a malformed one, is replaced by a generated id', async () => {
    const response = await fetch(`${service.url}/livez`, { headers: { 'X-Request-Id': 'bad id with spaces <script>' } });
    expect(response.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
  });
});

describe('jsonBody', () => {
  let url: string;
  let close: () => void;

  before(async () => {
    const router = new Router();
    router.post('/echo', jsonBody({ limitBytes: 64 }), (ctx) => {
      ctx.body = { received: (ctx.request as { body?: unknown }).body, bytes: (ctx.state.rawBody as Buffer).length };
    });
    const logger = createLogger({ LOG_LEVEL: 'silent' });
    const app = createHttpApp({ logger, metrics: new HttpMetrics(new Registry(), { defaultMetrics: false }), routers: [router] });
    const server = createServer(app.callback()).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/echo`;
    close = () => server.close();
  });

  after(() => close());

  const post = (body: string, type = 'application/json') => fetch(url, { method: 'POST', body, headers: { 'content-type': type } });

  it('jsonBody, when the body is JSON within the limit, passes parsed value and raw bytes on', async () => {
    const response = await post('{"a":1}');
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal({ received: { a: 1 }, bytes: 7 });
  });

  it('jsonBody, when the content type is not JSON, answers 415', async () => {
    await problemOf(await post('a=1', 'application/x-www-form-urlencoded'), 415);
  });

  it('jsonBody, when the body is over the limit, answers 413', async () => {
    await problemOf(await post(JSON.stringify({ pad: 'x'.repeat(100) })), 413);
  });

  it('jsonBody, when the bytes are not JSON, answers 400', async () => {
    const problem = await problemOf(await post('{"a":'), 400);
    expect(problem.title).to.equal('Malformed JSON');
  });
});
