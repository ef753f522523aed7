import type { Router } from '@koa/router';
import { expect } from 'chai';
import { Registry } from 'prom-client';
import { createHttpApp } from '../../src/adapters/http/create-http-app.js';
import { HttpMetrics } from '../../src/adapters/http/http-metrics.js';
import { routeSpecs } from '../../src/adapters/http/openapi/route-specs.js';
import { ProblemSchema } from '../../src/adapters/http/schemas/problem-schema.js';
import { ListProductsQuerySchema } from '../../src/adapters/http/schemas/product-schemas.js';
import type { ProductRepository } from '../../src/domain/ports/product-repository.js';
import { KnexProductRepository } from '../../src/adapters/persistence/knex-product-repository.js';
import { createLogger } from '../../src/infrastructure/create-logger.js';
import { loadConfig } from '../../src/infrastructure/load-config.js';
import { webhookHeaders } from '../../tools/mock-partner/sign-webhook.js';
import { startEdgeService, type EdgeService } from '../support/edge-service.js';
import { tiedProducts } from '../support/product-fixtures.js';
import { Router as KoaRouter } from '@koa/router';
import { InMemoryEventDeduplicator } from '../../src/adapters/in-memory/in-memory-event-deduplicator.js';
import { InMemoryExternalCatalog } from '../../src/adapters/in-memory/in-memory-external-catalog.js';
import { DependencyUnavailableError } from '../../src/domain/errors/dependency-unavailable-error.js';
import type { HealthIndicator } from '../../src/domain/ports/health-indicator.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const servedRoutes = (service: EdgeService) => {
  const root = service.app.middleware.map((m) => (m as { router?: Router }).router).find(Boolean);
  if (!root) throw new Error('the app has no router');
  return root.stack.flatMap((layer) =>
    layer.methods.filter((m) => m !== 'HEAD').map((method) => ({ method: method.toLowerCase(), path: String(layer.path) })),
  );
};
const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const fill = (path: string, params: Readonly<Record<string, string>> = {}) =>
  path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => encodeURIComponent(params[name] ?? 'x'));

describe('The OpenAPI document', () => {
  let service: EdgeService;
  let document: Json;
  const specs = () => routeSpecs({ webhookBodyLimitBytes: service.config.WEBHOOK_BODY_LIMIT_BYTES });

  before(async () => {
    service = await startEdgeService({ WEBHOOK_SECRETS: SECRET, RATE_LIMIT_ENABLED: 'false' });
    const products: ProductRepository = new KnexProductRepository(service.knex);
    await products.upsert(tiedProducts(50, 'DOC'));
    document = (await (await fetch(`${service.url}/openapi.json`)).json()) as Json;
  });

  after(() => service.close());

  it('/openapi.json, when fetched, is an OpenAPI 3.1 document', () => {
    expect(document.openapi).to.equal('3.1.0');
    expect(document.info).to.include({ title: 'FarmLokal API' });
    expect(document.components.schemas.Problem.properties).to.include.keys('type', 'title', 'status', 'detail', 'instance');
  });

  it('every route the app serves, when its routers are walked, is in the document, and nothing else is', () => {
    const served = servedRoutes(service);
    expect(served.length).to.be.greaterThan(8);
    for (const { method, path } of served) {
      expect(document.paths[openApiPath(path)]?.[method], `${method.toUpperCase()} ${path}`).to.be.an('object');
    }
    const documented = Object.entries(document.paths as Json).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`));
    expect(documented.sort()).to.deep.equal(served.map((r) => `${r.method} ${openApiPath(r.path)}`).sort());
  });

  it('every documented example, when parsed with its schema, validates', () => {
    let checked = 0;
    for (const spec of specs()) {
      const { request } = spec;
      for (const where of ['query', 'params', 'headers'] as const) {
        const example = request?.examples?.[where];
        if (example === undefined) continue;
        const result = request![where]!.safeParse(example);
        expect(result.success, `${spec.operationId} ${where} example: ${JSON.stringify(result.error?.issues)}`).to.equal(true);
        checked += 1;
      }
      if (request?.body?.example !== undefined) {
        const result = request.body.schema.safeParse(request.body.example);
        expect(result.success, `${spec.operationId} body example: ${JSON.stringify(result.error?.issues)}`).to.equal(true);
        checked += 1;
      }
      for (const [status, response] of Object.entries(spec.responses)) {
        if (response.example === undefined) continue;
        const result = response.schema!.safeParse(response.example);
        expect(result.success, `${spec.operationId} ${status} example: ${JSON.stringify(result.error?.issues)}`).to.equal(true);
        checked += 1;
      }
    }
    expect(checked).to.be.greaterThan(10);
  });

  it('the examples in the document, when compared with the route specs, are the same values', () => {
    const list = document.paths['/api/products'].get;
    const limit = list.parameters.find((p: Json) => p.name === 'limit');
    expect(limit).to.include({ in: 'query', required: false, example: '2' });
    const item = document.paths['/api/products/{id}'].get;
    expect(item.responses['200'].content['application/json'].example).to.include({ id: 42, currency: 'INR' });
  });

  it('query parameters, when documented, come from the very schema the route validates with', () => {
    const list = document.paths['/api/products'].get;
    expect(list.parameters.map((p: Json) => p.name).sort()).to.deep.equal(Object.keys(ListProductsQuerySchema.shape).sort());
    const limit = list.parameters.find((p: Json) => p.name === 'limit');
    expect(limit.schema).to.deep.equal({ type: 'string', pattern: '^\\d{1,3}$' });
    expect(list.description).to.match(/Unknown query parameters are rejected/);
  });

  it('each operation, when read, has a unique operationId, declares its path parameters and resolves every $ref', () => {
    const ids = new Set<string>();
    const refs: string[] = [];
    const collect = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.push(value);
          else collect(value);
        }
      }
    };
    collect(document);
    for (const ref of refs) {
      const target = ref
        .replace(/^#\//, '')
        .split('/')
        .reduce<unknown>((at, part) => (at as Json | undefined)?.[part], document);
      expect(target, ref).to.be.an('object');
    }
    for (const [path, item] of Object.entries(document.paths as Json)) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const [method, operation] of Object.entries(item as Json)) {
        expect(ids.has(operation.operationId), operation.operationId).to.equal(false);
        ids.add(operation.operationId);
        const declared = (operation.parameters ?? []).filter((p: Json) => p.in === 'path').map((p: Json) => p.name);
        expect(declared, `${method} ${path}`).to.deep.equal(names);
        expect(operation.responses.default, `${method} ${path}`).to.be.an('object');
      }
    }
  });

  it('public API operations, when documented, carry the 429 answer and the RateLimit headers; health does not', () => {
    const list = document.paths['/api/products'].get;
    expect(list.responses['429'].headers).to.include.keys('Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset');
    expect(list.responses['200'].headers).to.include.keys('RateLimit-Limit', 'ETag');
    expect(document.paths['/api/webhooks/partner'].post['x-rate-limit-budget']).to.equal('webhook');
    expect(document.paths['/livez'].get.responses['429']).to.equal(undefined);
    const webhook = document.paths['/api/webhooks/partner'].post;
    expect(webhook.requestBody.description).to.contain(String(service.config.WEBHOOK_BODY_LIMIT_BYTES));
    expect(webhook.responses).to.include.keys('400', '401', '413', '415');
  });

  it('every operation, when documented, carries the edge answers any route can get: 400 and 414 from the request limits', () => {
    for (const [path, item] of Object.entries(document.paths as Json)) {
      for (const [method, operation] of Object.entries(item as Json)) {
        expect(operation.responses, `${method} ${path}`).to.include.keys('400', '414');
      }
    }
  });

  it('the webhook operation, when documented, explains its own refusals: bad events 400, signatures 401, its body limit 413, media type 415', () => {
    const { responses } = document.paths['/api/webhooks/partner'].post;
    expect(responses['400'].description).to.match(/not JSON or not a valid event/);
    expect(responses['401'].description).to.match(/signature/);
    expect(responses['413'].description).to.contain(`${service.config.WEBHOOK_BODY_LIMIT_BYTES} bytes`);
    expect(responses['415'].description).to.match(/application\/json/);
    for (const status of ['400', '401', '409', '413', '415', '503']) {
      expect(responses[status].content, status).to.deep.equal({
        'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
      });
    }
  });

  it('each documented example request, when sent to the app, gets a documented status and a body matching its schema', async () => {
    for (const spec of specs()) {
      const examples = spec.request?.examples ?? {};
      const query = new URLSearchParams(examples.query ?? {}).toString();
      const url = `${service.url}${fill(spec.path, examples.params)}${query ? `?${query}` : ''}`;
      const init: RequestInit = { method: spec.method.toUpperCase() };
      if (spec.request?.body) {
        const body = JSON.stringify(spec.request.body.example);
        init.body = body;
        init.headers = webhookHeaders([SECRET], body);
      }
      const response = await fetch(url, init);
      const status = response.status;
      const documented = spec.responses[status];
      const label = `${spec.method.toUpperCase()} ${url} -> ${status}`;
      if (!documented) {
        expect(status, `${label} is not documented`).to.be.within(400, 599);
        expect(ProblemSchema.safeParse(await response.json()).success, label).to.equal(true);
        continue;
      }
      if (documented.contentType?.startsWith('text/') || documented.contentType === 'application/octet-stream') continue;
      const body = await response.json();
      const result = documented.schema!.safeParse(body);
      expect(result.success, `${label}: ${JSON.stringify(result.error?.issues)}`).to.equal(true);
    }
  });

  it('/openapi.json, when asked again with its ETag, answers 304', async () => {
    const first = await fetch(`${service.url}/openapi.json`);
    const again = await fetch(`${service.url}/openapi.json`, { headers: { 'If-None-Match': first.headers.get('etag')! } });
    expect(again.status).to.equal(304);
  });
});

interface Provocation {
  /** "METHOD /koa/path/:template", as the route is registered. */
  readonly route: string;
  readonly when: string;
  readonly status: number;
  readonly send: () => Promise<Response>;
}

/** A port whose every method rejects as an unreachable database does. */
const unreachableStore = () =>
  new Proxy(
    {},
    {
      get: (_target, name) =>
        typeof name === 'string' && name !== 'then' ? () => Promise.reject(new DependencyUnavailableError('database')) : undefined,
    },
  );

describe('Each status the app answers on a route, when provoked, is documented for that route', function () {
  this.timeout(30_000);
  const BODY_LIMIT = 2048;
  const WEBHOOK = 'POST /api/webhooks/partner';
  const [offered, notOffered] = tiedProducts(2, 'DOC');
  const ids: Record<string, number> = {};
  const deduplicator = new InMemoryEventDeduplicator();
  /** open: everything works; limited: one request per budget; down: the database is unreachable. */
  const services = {} as Record<'open' | 'limited' | 'down', EdgeService>;
  let document: Json;

  before(async () => {
    const env = { WEBHOOK_SECRETS: SECRET, WEBHOOK_BODY_LIMIT_BYTES: String(BODY_LIMIT) };
    const partner = new InMemoryExternalCatalog([{ ...offered, createdAt: new Date(), updatedAt: new Date() }]);
    services.open = await startEdgeService(
      { ...env, RATE_LIMIT_ENABLED: 'false' },
      { overrides: { EventDeduplicator: deduplicator, ExternalCatalog: partner } },
    );
    services.limited = await startEdgeService({ ...env, RATE_LIMIT_PUBLIC_POINTS: '1', RATE_LIMIT_WEBHOOK_POINTS: '1' });
    const databaseDown: HealthIndicator = { name: 'database', check: () => Promise.reject(new Error('ECONNREFUSED')) };
    services.down = await startEdgeService(
      { ...env, RATE_LIMIT_ENABLED: 'false' },
      { overrides: { ProductRepository: unreachableStore(), ProductEventStore: unreachableStore(), HealthIndicators: [databaseDown] } },
    );
    await new KnexProductRepository(services.open.knex).upsert([offered, notOffered]);
    for (const { id, sku } of await services.open.knex('products').select('id', 'sku')) ids[sku as string] = Number(id);
    document = (await (await fetch(`${services.open.url}/openapi.json`)).json()) as Json;
  });

  after(() => Promise.all(Object.values(services).map((service) => service.close())));

  type On = keyof typeof services;
  const send =
    (on: On, path: string | (() => string), init: RequestInit = {}) =>
    () =>
      fetch(`${services[on].url}${typeof path === 'string' ? path : path()}`, init);
  const productPath =
    (sku: string, rest = '') =>
    () =>
      `/api/products/${ids[sku]}${rest}`;
  const revalidate = (path: string | (() => string)) => async () => {
    const first = await send('open', path)();
    await first.arrayBuffer();
    return send('open', path, { headers: { 'If-None-Match': first.headers.get('etag') ?? 'none' } })();
  };
  /** Spends this client's one-request budget, then asks again. */
  const overBudget =
    (path: string, init: RequestInit = {}) =>
    async () => {
      await (await send('limited', path, init)()).arrayBuffer();
      return send('limited', path, init)();
    };
  const event = (id: string) =>
    JSON.stringify({
      id,
      type: 'product.price_changed',
      occurredAt: '2026-01-02T08:30:00Z',
      data: { sku: offered.sku, version: 7, price: '455.00' },
    });
  const deliver =
    (on: On, body: string, headers: Record<string, string> | null = {}) =>
    () =>
      send(on, '/api/webhooks/partner', {
        method: 'POST',
        headers: headers === null ? { 'content-type': 'application/json' } : { ...webhookHeaders([SECRET], body), ...headers },
        body,
      })();

  const provocations: Provocation[] = [
    { route: 'GET /api/products', when: 'asked', status: 200, send: send('open', '/api/products') },
    { route: 'GET /api/products', when: 'revalidated with its ETag', status: 304, send: revalidate('/api/products') },
    { route: 'GET /api/products', when: 'the query is invalid', status: 400, send: send('open', '/api/products?limit=abc') },
    { route: 'GET /api/products', when: 'the budget is spent', status: 429, send: overBudget('/api/products') },
    { route: 'GET /api/products', when: 'the database is unreachable', status: 503, send: send('down', '/api/products') },
    { route: 'GET /api/products/:id', when: 'asked', status: 200, send: send('open', productPath(offered.sku)) },
    { route: 'GET /api/products/:id', when: 'revalidated with its ETag', status: 304, send: revalidate(productPath(offered.sku)) },
    { route: 'GET /api/products/:id', when: 'the id is not a number', status: 400, send: send('open', '/api/products/abc') },
    { route: 'GET /api/products/:id', when: 'no product has the id', status: 404, send: send('open', '/api/products/999999') },
    { route: 'GET /api/products/:id', when: 'the budget is spent', status: 429, send: overBudget('/api/products/1') },
    { route: 'GET /api/products/:id', when: 'the database is unreachable', status: 503, send: send('down', '/api/products/1') },
    {
      route: 'GET /api/products/:id/availability',
      when: 'the partner answers',
      status: 200,
      send: send('open', productPath(offered.sku, '/availability')),
    },
    {
      route: 'GET /api/products/:id/availability',
      when: 'the id is not a number',
      status: 400,
      send: send('open', '/api/products/abc/availability'),
    },
    {
      route: 'GET /api/products/:id/availability',
      when: 'the partner does not offer it',
      status: 404,
      send: send('open', productPath(notOffered.sku, '/availability')),
    },
    {
      route: 'GET /api/products/:id/availability',
      when: 'the budget is spent',
      status: 429,
      send: overBudget('/api/products/1/availability'),
    },
    {
      route: 'GET /api/products/:id/availability',
      when: 'the database is unreachable',
      status: 503,
      send: send('down', '/api/products/1/availability'),
    },
    { route: WEBHOOK, when: 'a signed event arrives', status: 200, send: deliver('open', event('evt_ok')) },
    { route: WEBHOOK, when: 'the signed body is not JSON', status: 400, send: deliver('open', '{"id": "evt_1", ') },
    {
      route: WEBHOOK,
      when: 'the signed event is invalid',
      status: 400,
      send: deliver('open', event('evt_bad').replace('"price":"455.00"', '"price":"a lot"')),
    },
    { route: WEBHOOK, when: 'the signature headers are missing', status: 401, send: deliver('open', event('evt_unsigned'), null) },
    {
      route: WEBHOOK,
      when: 'another delivery holds the event',
      status: 409,
      send: async () => {
        await deduplicator.claim('evt_busy', 10_000);
        return deliver('open', event('evt_busy'))();
      },
    },
    { route: WEBHOOK, when: 'the body is over the limit', status: 413, send: deliver('open', event('x'.repeat(BODY_LIMIT))) },
    {
      route: WEBHOOK,
      when: 'the signed body is not application/json',
      status: 415,
      send: deliver('open', event('evt_text'), { 'content-type': 'text/plain' }),
    },
    { route: WEBHOOK, when: 'the budget is spent', status: 429, send: overBudget('/api/webhooks/partner', { method: 'POST' }) },
    { route: WEBHOOK, when: 'the database is unreachable', status: 503, send: deliver('down', event('evt_down')) },
    { route: 'GET /livez', when: 'asked', status: 200, send: send('open', '/livez') },
    { route: 'GET /readyz', when: 'asked', status: 200, send: send('open', '/readyz') },
    { route: 'GET /readyz', when: 'the database is down', status: 503, send: send('down', '/readyz') },
    { route: 'GET /metrics', when: 'asked', status: 200, send: send('open', '/metrics') },
    { route: 'GET /openapi.json', when: 'asked', status: 200, send: send('open', '/openapi.json') },
    { route: 'GET /openapi.json', when: 'revalidated with its ETag', status: 304, send: revalidate('/openapi.json') },
    { route: 'GET /docs', when: 'asked', status: 200, send: send('open', '/docs') },
    { route: 'GET /docs/assets/:file', when: 'asked', status: 200, send: send('open', '/docs/assets/docs-init.js') },
    { route: 'GET /docs/assets/:file', when: 'revalidated with its ETag', status: 304, send: revalidate('/docs/assets/docs-init.js') },
    {
      route: 'GET /docs/assets/:file',
      when: 'the file is not one of the assets',
      status: 400,
      send: send('open', '/docs/assets/package.json'),
    },
    // The request limits run before routing, so every route can answer these two.
    ...routeSpecs({ webhookBodyLimitBytes: BODY_LIMIT }).flatMap((spec): Provocation[] => {
      const route = `${spec.method.toUpperCase()} ${spec.path}`;
      const init = { method: spec.method.toUpperCase() };
      const path = fill(spec.path, spec.request?.examples?.params);
      const { HTTP_MAX_URL_LENGTH, HTTP_MAX_QUERY_PARAMS } = loadConfig({});
      const parameters = Array.from({ length: HTTP_MAX_QUERY_PARAMS + 1 }, (_, i) => `p${i}=1`).join('&');
      return [
        { route, when: 'the URL is too long', status: 414, send: send('open', `${path}?pad=${'a'.repeat(HTTP_MAX_URL_LENGTH)}`, init) },
        { route, when: 'it has too many query parameters', status: 400, send: send('open', `${path}?${parameters}`, init) },
      ];
    }),
  ];

  for (const { route, when, status, send: provoke } of provocations) {
    it(`${route}, when ${when}, answers ${status}, which its operation documents`, async () => {
      const response = await provoke();
      const body = await response.text();
      expect(response.status, `${route} when ${when}: ${body.slice(0, 300)}`).to.equal(status);
      const [method, path] = route.split(' ') as [string, string];
      const documented = document.paths[openApiPath(path)]?.[method.toLowerCase()]?.responses?.[String(status)];
      expect(documented, `${route} answers ${status} when ${when}, but its operation does not document ${status}`).to.be.an('object');
      if (status >= 400) {
        expect(response.headers.get('content-type'), route).to.match(/^application\/problem\+json/);
        expect(documented.content, `${route} ${status}`).to.have.key('application/problem+json');
      }
    });
  }
});

describe('createHttpApp, given route specs', () => {
  const deps = () => ({
    logger: createLogger({ LOG_LEVEL: 'silent' }),
    metrics: new HttpMetrics(new Registry(), { defaultMetrics: false }),
  });
  const spec = {
    method: 'get',
    path: '/documented',
    operationId: 'documented',
    summary: 's',
    tags: ['t'],
    responses: { 200: { description: 'ok' } },
  } as const;

  it('when a router serves a route no spec describes, refuses to start and names the route', () => {
    const router = new KoaRouter();
    router.get('/documented', (ctx) => (ctx.body = {}));
    router.post('/sneaky/:id', (ctx) => (ctx.body = {}));
    expect(() => createHttpApp({ ...deps(), routers: [router], edge: { routeSpecs: [spec] } })).to.throw(
      /POST \/sneaky\/:id is served but has no RouteSpec/,
    );
  });

  it('when a spec describes a route no router serves, refuses to start and names the spec', () => {
    expect(() => createHttpApp({ ...deps(), routers: [new KoaRouter()], edge: { routeSpecs: [spec] } })).to.throw(
      /GET \/documented has a RouteSpec but no router serves it/,
    );
  });
});

describe('The /docs page', () => {
  let service: EdgeService;

  before(async () => {
    service = await startEdgeService({ RATE_LIMIT_ENABLED: 'false' });
  });

  after(() => service.close());

  it('/docs, when fetched, is HTML that references only assets this service serves', async () => {
    const response = await fetch(`${service.url}/docs`);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.match(/^text\/html/);
    const html = await response.text();
    const references = [...html.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/g)].map((m) => m[1]);
    expect(references).to.have.length.greaterThan(2);
    expect(html).not.to.match(/https?:\/\/|\/\/[a-z]/i);
    for (const reference of references) {
      expect(reference, reference).to.match(/^\/docs\/assets\/[a-z0-9.-]+$/);
      const asset = await fetch(`${service.url}${reference}`);
      expect(asset.status, reference).to.equal(200);
      expect((await asset.arrayBuffer()).byteLength, reference).to.be.greaterThan(100);
    }
  });

  it('the page, when loaded, takes its styles and scripts from this origin only (CSP) and its spec from /openapi.json', async () => {
    const page = await fetch(`${service.url}/docs`);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).to.contain("default-src 'none'").and.contain("script-src 'self'").and.contain("connect-src 'self'");
    expect(csp).not.to.match(/script-src[^;]*unsafe/);
    const init = await (await fetch(`${service.url}/docs/assets/docs-init.js`)).text();
    expect(init).to.contain("url: '/openapi.json'").and.contain('validatorUrl: null');
    const css = await (await fetch(`${service.url}/docs/assets/swagger-ui.css`)).text();
    expect(css).not.to.match(/url\(\s*["']?(https?:)?\/\//);
    expect((await fetch(`${service.url}/docs/assets/swagger-ui-bundle.js`)).headers.get('content-type')).to.match(/javascript/);
  });

  it('/docs/assets, when asked for a file outside the list, answers 400 problem+json and reads nothing else', async () => {
    for (const file of ['package.json', '..%2Fpackage.json', 'index.html']) {
      const response = await fetch(`${service.url}/docs/assets/${file}`);
      expect(response.status, file).to.equal(400);
      expect(response.headers.get('content-type')).to.match(/^application\/problem\+json/);
    }
  });
});
