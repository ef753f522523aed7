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
import { webhookHeaders } from '../../tools/mock-partner/sign-webhook.js';
import { startEdgeService, type EdgeService } from '../support/edge-service.js';
import { tiedProducts } from '../support/product-fixtures.js';
import { Router as KoaRouter } from '@koa/router';

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
      const target = ref.replace(/^#\//, '').split('/').reduce<unknown>((at, part) => (at as Json | undefined)?.[part], document);
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
    expect(webhook.responses).to.include.keys('413', '415', '401');
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

describe('createHttpApp, given route specs', () => {
  const deps = () => ({ logger: createLogger({ LOG_LEVEL: 'silent' }), metrics: new HttpMetrics(new Registry(), { defaultMetrics: false }) });
  const spec = { method: 'get', path: '/documented', operationId: 'documented', summary: 's', tags: ['t'], responses: { 200: { description: 'ok' } } } as const;

  it('when a router serves a route no spec describes, refuses to start and names the route', () => {
    const router = new KoaRouter();
    router.get('/documented', (ctx) => (ctx.body = {}));
    router.post('/sneaky/:id', (ctx) => (ctx.body = {}));
    expect(() => createHttpApp({ ...deps(), routers: [router], edge: { routeSpecs: [spec] } })).to.throw(/POST \/sneaky\/:id is served but has no RouteSpec/);
  });

  it('when a spec describes a route no router serves, refuses to start and names the spec', () => {
    expect(() => createHttpApp({ ...deps(), routers: [new KoaRouter()], edge: { routeSpecs: [spec] } })).to.throw(/GET \/documented has a RouteSpec but no router serves it/);
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
    const references = [...html.matchAll(/\b(?:src|href)\s*=\s*"([^"]*)"/g)].map((m) => m[1]!);
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
