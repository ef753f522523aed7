import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import type { Knex } from 'knex';
import { InMemoryProductRepository } from '../../src/adapters/in-memory/in-memory-product-repository.js';
import type { ExternalCatalog } from '../../src/domain/ports/external-catalog.js';
import type { Logger } from '../../src/domain/ports/logger.js';
import type { TokenProvider } from '../../src/domain/ports/token-provider.js';
import { buildContainer, type Overrides } from '../../src/infrastructure/container.js';
import { createKnex } from '../../src/infrastructure/create-knex.js';
import { createLogger } from '../../src/infrastructure/create-logger.js';
import { createServiceApp } from '../../src/infrastructure/create-service-app.js';
import { loadConfig } from '../../src/infrastructure/load-config.js';
import { tiedProducts } from '../support/product-fixtures.js';

interface LogLine {
  readonly msg: string;
  readonly requestId?: string;
  readonly [key: string]: unknown;
}

/** The whole app over in-memory SQLite with a logger whose lines the test reads. */
async function appWithLog(env: Record<string, string>, overrides: (logger: Logger) => Overrides) {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const raw of chunk.toString().split('\n')) if (raw.trim()) lines.push(JSON.parse(raw) as LogLine);
      done();
    },
  });
  const config = loadConfig({ SQLITE_FILE: ':memory:', LOG_LEVEL: 'debug', RATE_LIMIT_ENABLED: 'false', ...env });
  const knex = await createKnex(config);
  const logger = createLogger(config, sink);
  const container = buildContainer(config, { knex, logger }, overrides(logger));
  const { app, registry } = createServiceApp(container, { isShuttingDown: () => false, defaultMetrics: false });
  const handle = app.callback();
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { lines, registry, server, knex, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('One request id everywhere', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const track = (server: Server, knex: Knex) =>
    cleanups.push(
      () => new Promise((resolve) => server.close(resolve)),
      () => knex.destroy(),
    );

  it('every log line written while serving a request, by any layer through the root logger, carries that request id', async () => {
    const products = new InMemoryProductRepository();
    await products.upsert(tiedProducts(1));
    const { lines, server, knex, url } = await appWithLog({}, (logger) => ({
      ProductRepository: products,
      // An adapter that logs through the root logger it was given, as the real ones do.
      ExternalCatalog: {
        getProduct: async () => {
          logger.warn({ attempt: 1 }, 'adapter: partner call failed');
          await new Promise((resolve) => setImmediate(resolve));
          logger.info({}, 'adapter: after an await');
          throw new Error('partner down');
        },
      } satisfies Pick<ExternalCatalog, 'getProduct'>,
    }));
    track(server, knex);
    const response = await fetch(`${url}/api/products/1/availability`, { headers: { 'x-request-id': 'req-abc-123' } });
    expect(response.headers.get('x-request-id')).to.equal('req-abc-123');
    const during = lines.filter((line) =>
      ['adapter: partner call failed', 'adapter: after an await', 'request', 'unhandled error'].includes(line.msg),
    );
    expect(during.map((line) => line.msg)).to.include.members(['adapter: partner call failed', 'adapter: after an await', 'request']);
    expect(during.map((line) => line.requestId)).to.deep.equal(during.map(() => 'req-abc-123'));
    expect(lines.filter((line) => line.msg === 'request')).to.have.length(1);
    expect(JSON.stringify(lines.find((line) => line.msg === 'request')).match(/"requestId"/g), 'named once').to.have.length(1);
  });

  it('an outgoing partner catalogue call, made while serving a request, sends X-Request-Id', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const partner = createServer((req, res) => {
      seen.push(req.headers);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ sku: 'FL-TIE-0001', price: '12.50', stock: 4, updatedAt: '2026-11-24T09:00:00.000Z' }));
    });
    await new Promise<void>((resolve) => partner.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => partner.close(resolve)));
    const products = new InMemoryProductRepository();
    await products.upsert(tiedProducts(1));
    const tokens: TokenProvider = {
      getToken: async () => ({ accessToken: 'test-token', expiresAt: Date.now() + 60_000 }),
      invalidate: async () => undefined,
    } as unknown as TokenProvider;
    const { server, knex, url } = await appWithLog(
      { PARTNER_API_URL: `http://127.0.0.1:${(partner.address() as AddressInfo).port}`, PARTNER_CACHE_SECONDS: '0' },
      () => ({ ProductRepository: products, TokenProvider: tokens }),
    );
    track(server, knex);
    await fetch(`${url}/api/products/1/availability`, { headers: { 'x-request-id': 'req-to-partner-7' } });
    expect(seen.length).to.be.greaterThan(0);
    expect(seen.map((headers) => headers['x-request-id'])).to.deep.equal(seen.map(() => 'req-to-partner-7'));
  });

  it('requests refused before routing (429, 414), are counted under their route template, not "unmatched"', async () => {
    const { registry, server, knex, url } = await appWithLog(
      { RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_PUBLIC_POINTS: '1', HTTP_MAX_URL_LENGTH: '256' },
      () => ({}),
    );
    track(server, knex);
    await fetch(`${url}/api/products?limit=1`);
    expect((await fetch(`${url}/api/products?limit=1`)).status).to.equal(429);
    expect((await fetch(`${url}/api/products?q=${'a'.repeat(300)}`)).status).to.equal(414);
    const metrics = await registry.getSingleMetricAsString('http_request_duration_seconds');
    expect(metrics).to.match(/http_request_duration_seconds_count\{[^}]*route="\/api\/products"[^}]*status="429"[^}]*\} 1/);
    expect(metrics).to.match(/http_request_duration_seconds_count\{[^}]*route="\/api\/products"[^}]*status="414"[^}]*\} 1/);
    expect(metrics).to.not.match(/route="unmatched"[^}]*status="4(29|14)"/);
  });
});
