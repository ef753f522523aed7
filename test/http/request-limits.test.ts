import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from '@koa/router';
import { expect } from 'chai';
import { Registry } from 'prom-client';
import { createHttpApp } from '../../src/adapters/http/create-http-app.js';
import { createHttpServer } from '../../src/adapters/http/create-http-server.js';
import { HttpMetrics } from '../../src/adapters/http/http-metrics.js';
import { rawBody } from '../../src/adapters/http/middleware/raw-body.js';
import { ProblemSchema } from '../../src/adapters/http/schemas/problem-schema.js';
import { ConfigError } from '../../src/infrastructure/config-error.js';
import { createLogger } from '../../src/infrastructure/create-logger.js';
import { loadConfig } from '../../src/infrastructure/load-config.js';
import { webhookHeaders } from '../../tools/mock-partner/sign-webhook.js';
import { startEdgeService, type EdgeService } from '../support/edge-service.js';
import { rawRequest, type RawResponse } from '../support/raw-http.js';
import { problemOf } from '../support/test-service.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function expectRawProblem(response: RawResponse, status: number) {
  expect(response.status, response.body).to.equal(status);
  expect(response.headers['content-type']).to.equal('application/problem+json');
  const problem = ProblemSchema.parse(JSON.parse(response.body));
  expect(problem.status).to.equal(status);
  return problem;
}

describe('Request limits of the service', function () {
  this.timeout(20_000);
  let service: EdgeService;

  before(async () => {
    service = await startEdgeService({
      WEBHOOK_SECRETS: SECRET,
      WEBHOOK_BODY_LIMIT_BYTES: '2048',
      HTTP_MAX_URL_LENGTH: '512',
      HTTP_MAX_QUERY_PARAMS: '8',
      HTTP_MAX_HEADER_BYTES: '4096',
      RATE_LIMIT_ENABLED: 'false',
    });
  });

  after(() => service.close());

  it('a request target, when longer than HTTP_MAX_URL_LENGTH, is refused with 414 problem+json', async () => {
    const problem = await problemOf(await fetch(`${service.url}/api/products?q=${'a'.repeat(600)}`), 414);
    expect(problem.detail).to.contain('512');
    expect((await fetch(`${service.url}/api/products?q=${'a'.repeat(90)}`)).status).to.equal(200);
  });

  it('a query, when it has more parameters than HTTP_MAX_QUERY_PARAMS, is refused with 400 problem+json', async () => {
    const many = Array.from({ length: 9 }, (_, i) => `p${i}=1`).join('&');
    const problem = await problemOf(await fetch(`${service.url}/api/products?${many}`), 400);
    expect(problem.title).to.equal('Too many query parameters');
  });

  it('headers, when larger than HTTP_MAX_HEADER_BYTES, are refused by the server with 431 problem+json', async () => {
    const response = await rawRequest(service.port, `GET /api/products HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(6000)}\r\n\r\n`);
    expectRawProblem(response, 431);
    expect((await fetch(`${service.url}/livez`, { headers: { 'X-Fine': 'f'.repeat(1000) } })).status).to.equal(200);
  });

  it('bytes that are not HTTP, when sent, are answered with 400 problem+json', async () => {
    for (const garbage of [
      'NOT HTTP AT ALL\r\n\r\n',
      'GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET / HTTP/1.1\r\nBad Header Name: x\r\n\r\n',
    ]) {
      expectRawProblem(await rawRequest(service.port, garbage), 400);
    }
  });

  it('an HTTP/1.1 request, when it has no Host header, is refused with 400 problem+json', async () => {
    const problem = expectRawProblem(await rawRequest(service.port, 'GET /livez HTTP/1.1\r\nConnection: close\r\n\r\n'), 400);
    expect(problem.title).to.equal('Missing Host header');
  });

  it('a webhook body, when larger than its route limit (declared or streamed), is refused with 413 problem+json before being read', async () => {
    const big = JSON.stringify({ filler: 'x'.repeat(3000) });
    const declared = await fetch(`${service.url}/api/webhooks/partner`, {
      method: 'POST',
      headers: webhookHeaders([SECRET], big),
      body: big,
    });
    expect((await problemOf(declared, 413)).detail).to.contain('2048');
    // Signed, so the size is the only thing wrong (an unsigned one is refused unread, with 401).
    const signature = Object.entries(webhookHeaders([SECRET], 'x'.repeat(3000)))
      .filter(([name]) => name.startsWith('webhook-'))
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    const streamed = await rawRequest(
      service.port,
      `POST /api/webhooks/partner HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${signature}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n` +
        `${(3000).toString(16)}\r\n${'x'.repeat(3000)}\r\n0\r\n\r\n`,
    );
    expectRawProblem(streamed, 413);
  });

  it('a signed webhook, when its body is malformed JSON or another media type, is refused with 400 or 415 problem+json', async () => {
    const malformed = '{"id": "evt_1", ';
    await problemOf(
      await fetch(`${service.url}/api/webhooks/partner`, { method: 'POST', headers: webhookHeaders([SECRET], malformed), body: malformed }),
      400,
    );
    const text = 'id=evt_1';
    const headers = { ...webhookHeaders([SECRET], text), 'content-type': 'text/plain' };
    await problemOf(await fetch(`${service.url}/api/webhooks/partner`, { method: 'POST', headers, body: text }), 415);
  });

  it('the server, when built from the configuration, carries the configured limits and keep-alive settings', async () => {
    const tuned = await startEdgeService({
      HTTP_MAX_HEADER_BYTES: '8192',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '61000',
      HTTP_HEADERS_TIMEOUT_MS: '62000',
      HTTP_REQUEST_TIMEOUT_MS: '63000',
    });
    try {
      expect((tuned.server as typeof tuned.server & { maxHeaderSize?: number }).maxHeaderSize).to.equal(8192);
      expect(tuned.server.keepAliveTimeout).to.equal(61_000);
      expect(tuned.server.headersTimeout).to.equal(62_000);
      expect(tuned.server.requestTimeout).to.equal(63_000);
    } finally {
      await tuned.close();
    }
    expect(service.server.keepAliveTimeout, 'default: above the 60 s idle timeout of common load balancers').to.be.greaterThan(60_000);
    expect(service.server.headersTimeout).to.be.greaterThan(service.server.keepAliveTimeout);
  });
});

describe('loadConfig, for the server timeouts', () => {
  it('headers timeout, when not above the keep-alive timeout, is refused naming the key', () => {
    expect(() => loadConfig({ HTTP_KEEP_ALIVE_TIMEOUT_MS: '65000', HTTP_HEADERS_TIMEOUT_MS: '65000' })).to.throw(
      ConfigError,
      /HTTP_HEADERS_TIMEOUT_MS: must exceed HTTP_KEEP_ALIVE_TIMEOUT_MS/,
    );
  });

  it('request timeout, when below the headers timeout, is refused naming the key', () => {
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: '66000', HTTP_REQUEST_TIMEOUT_MS: '30000' })).to.throw(
      ConfigError,
      /HTTP_REQUEST_TIMEOUT_MS: must be at least HTTP_HEADERS_TIMEOUT_MS/,
    );
  });

  it('the edge keys, when unset, default to a closed, limited edge', () => {
    const config = loadConfig({});
    expect(config).to.include({ TRUST_PROXY: false, RATE_LIMIT_ENABLED: true, HTTP_MAX_HEADER_BYTES: 16_384 });
    expect(config.CORS_ORIGINS).to.deep.equal([]);
  });

  it('TRUST_PROXY and CORS_ORIGINS, when set, are parsed; bad values are refused naming the key', () => {
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).to.equal(2);
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).to.equal(true);
    expect(loadConfig({ CORS_ORIGINS: 'https://shop.example.in, http://localhost:5173' }).CORS_ORIGINS).to.deep.equal([
      'https://shop.example.in',
      'http://localhost:5173',
    ]);
    expect(() => loadConfig({ TRUST_PROXY: 'yes' })).to.throw(ConfigError, /TRUST_PROXY/);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://shop.example.in/' })).to.throw(ConfigError, /CORS_ORIGINS/);
    expect(() => loadConfig({ CORS_ORIGINS: '*,https://a.example' })).to.throw(ConfigError, /CORS_ORIGINS/);
    expect(() => loadConfig({ RATE_LIMIT_PUBLIC_WINDOW_SECONDS: '0' })).to.throw(ConfigError, /RATE_LIMIT_PUBLIC_WINDOW_SECONDS/);
  });
});

describe('createHttpServer, for slow clients', function () {
  this.timeout(10_000);
  let server: Server;
  let port: number;

  before(async () => {
    const router = new Router();
    router.post('/echo', rawBody({ limitBytes: 1024 }), (ctx) => {
      ctx.body = { ok: true };
    });
    const logger = createLogger({ LOG_LEVEL: 'silent' });
    const app = createHttpApp({ logger, metrics: new HttpMetrics(new Registry(), { defaultMetrics: false }), routers: [router] });
    server = createHttpServer(app.callback(), {
      maxHeaderBytes: 4096,
      keepAliveTimeoutMs: 200,
      headersTimeoutMs: 300,
      requestTimeoutMs: 600,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('a client, when it never finishes its headers, is answered 408 problem+json and disconnected', async () => {
    expectRawProblem(await rawRequest(port, 'GET /echo HTTP/1.1\r\nHost: x\r\nX-Slow: '), 408);
  });

  it('a client, when it never finishes its body, is answered 408 problem+json and disconnected', async () => {
    const response = await rawRequest(
      port,
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
    );
    expectRawProblem(response, 408);
  });

  it('a client, when it sends its request promptly, is served', async () => {
    const response = await rawRequest(
      port,
      'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 8\r\nConnection: close\r\n\r\n{"a":1}\n',
    );
    expect(response.status).to.equal(200);
  });
});
