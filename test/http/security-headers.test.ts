import { expect } from 'chai';
import { startEdgeService, type EdgeService } from '../support/edge-service.js';
import { problemOf } from '../support/test-service.js';

const JSON_API_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
};

describe('Security headers', () => {
  let service: EdgeService;

  before(async () => {
    service = await startEdgeService({ RATE_LIMIT_PUBLIC_POINTS: '2' });
  });

  after(() => service.close());

  it('every kind of response (JSON, problem, 429, metrics, docs), when served, carries the JSON API headers and no X-Powered-By', async () => {
    const responses = [
      await fetch(`${service.url}/api/products`),
      await fetch(`${service.url}/livez`),
      await fetch(`${service.url}/metrics`),
      await fetch(`${service.url}/no/such/route`),
      await fetch(`${service.url}/api/products`, { method: 'DELETE' }),
      await fetch(`${service.url}/docs`),
      await fetch(`${service.url}/api/products`),
    ];
    // The 405 spent the second point of the public budget.
    expect(responses.map((r) => r.status)).to.deep.equal([200, 200, 200, 404, 405, 200, 429]);
    for (const response of responses) {
      for (const [name, value] of Object.entries(JSON_API_HEADERS))
        expect(response.headers.get(name), `${response.url} ${name}`).to.equal(value);
      expect(response.headers.get('x-powered-by'), response.url).to.equal(null);
      expect(response.headers.get('strict-transport-security'), 'never over plain HTTP').to.equal(null);
      expect(response.headers.get('content-security-policy')).to.contain("default-src 'none'").and.contain("frame-ancestors 'none'");
    }
  });

  it('a JSON response, when served, has a CSP that lets it load nothing', async () => {
    const response = await fetch(`${service.url}/livez`);
    expect(response.headers.get('content-security-policy')).to.equal("default-src 'none'; frame-ancestors 'none'");
    expect(response.headers.get('referrer-policy'), 'document-only header').to.equal(null);
    expect(response.headers.get('cross-origin-opener-policy'), 'document-only header').to.equal(null);
  });

  it('the /docs page, when served, also carries the headers that matter for a rendered document', async () => {
    const response = await fetch(`${service.url}/docs`);
    expect(response.headers.get('referrer-policy')).to.equal('no-referrer');
    expect(response.headers.get('cross-origin-opener-policy')).to.equal('same-origin');
  });

  it('Strict-Transport-Security, when the request came over HTTPS through a trusted proxy, is sent', async () => {
    const proxied = await startEdgeService({ TRUST_PROXY: 'true' });
    try {
      const https = await fetch(`${proxied.url}/livez`, { headers: { 'X-Forwarded-Proto': 'https' } });
      expect(https.headers.get('strict-transport-security')).to.equal('max-age=31536000');
      const http = await fetch(`${proxied.url}/livez`, { headers: { 'X-Forwarded-Proto': 'http' } });
      expect(http.headers.get('strict-transport-security')).to.equal(null);
    } finally {
      await proxied.close();
    }
  });

  it('Strict-Transport-Security, when X-Forwarded-Proto comes from an untrusted client, is not sent', async () => {
    const response = await fetch(`${service.url}/livez`, { headers: { 'X-Forwarded-Proto': 'https' } });
    expect(response.headers.get('strict-transport-security')).to.equal(null);
  });

  it('Strict-Transport-Security, when HSTS_MAX_AGE_SECONDS=0, is not sent even over HTTPS', async () => {
    const plain = await startEdgeService({ HSTS_MAX_AGE_SECONDS: '0', TRUST_PROXY: 'true' });
    try {
      const response = await fetch(`${plain.url}/livez`, { headers: { 'X-Forwarded-Proto': 'https' } });
      expect(response.headers.get('strict-transport-security')).to.equal(null);
    } finally {
      await plain.close();
    }
  });
});

describe('CORS', () => {
  let closed: EdgeService;
  let open: EdgeService;
  let any: EdgeService;
  const preflight = (service: EdgeService, origin: string, path = '/api/products') =>
    fetch(`${service.url}${path}`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'if-none-match' },
    });

  before(async () => {
    [closed, open, any] = await Promise.all([
      startEdgeService(),
      startEdgeService({ CORS_ORIGINS: 'https://shop.farmlokal.example,http://localhost:5173' }),
      startEdgeService({ CORS_ORIGINS: '*' }),
    ]);
  });

  after(() => Promise.all([closed.close(), open.close(), any.close()]));

  it('by default (no CORS_ORIGINS), when a browser preflights, refuses with 403 problem+json and grants nothing', async () => {
    const response = await preflight(closed, 'https://shop.farmlokal.example');
    await problemOf(response, 403);
    expect(response.headers.get('access-control-allow-origin')).to.equal(null);
    const simple = await fetch(`${closed.url}/api/products`, { headers: { Origin: 'https://shop.farmlokal.example' } });
    expect(simple.status).to.equal(200);
    expect(simple.headers.get('access-control-allow-origin')).to.equal(null);
  });

  it('an allowed origin, when it preflights, gets 204 with the allowed methods and headers', async () => {
    const response = await preflight(open, 'http://localhost:5173');
    expect(response.status).to.equal(204);
    expect(response.headers.get('access-control-allow-origin')).to.equal('http://localhost:5173');
    expect(response.headers.get('access-control-allow-methods')).to.contain('GET');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).to.contain('if-none-match');
    expect(response.headers.get('access-control-max-age')).to.equal('600');
    expect(response.headers.get('vary')).to.contain('Origin');
    expect(response.headers.get('access-control-allow-credentials')).to.equal(null);
  });

  it('an allowed origin, when it calls, gets its origin back, Vary: Origin and the exposed headers it may read', async () => {
    const response = await fetch(`${open.url}/api/products`, { headers: { Origin: 'https://shop.farmlokal.example' } });
    expect(response.status).to.equal(200);
    expect(response.headers.get('access-control-allow-origin')).to.equal('https://shop.farmlokal.example');
    expect(response.headers.get('vary')).to.contain('Origin');
    expect(response.headers.get('access-control-expose-headers')).to.contain('RateLimit-Remaining').and.contain('ETag');
  });

  it('an origin not on the list, when it preflights or calls, is refused or served without CORS headers', async () => {
    await problemOf(await preflight(open, 'https://evil.example'), 403);
    await problemOf(await preflight(open, 'https://shop.farmlokal.example.evil.example'), 403);
    const simple = await fetch(`${open.url}/api/products`, { headers: { Origin: 'https://evil.example' } });
    expect(simple.headers.get('access-control-allow-origin')).to.equal(null);
    expect(simple.headers.get('vary')).to.contain('Origin');
  });

  it('CORS_ORIGINS=*, when any origin calls, answers Access-Control-Allow-Origin: *', async () => {
    const response = await preflight(any, 'https://anyone.example');
    expect(response.status).to.equal(204);
    expect(response.headers.get('access-control-allow-origin')).to.equal('*');
    const simple = await fetch(`${any.url}/api/products/1`, { headers: { Origin: 'https://anyone.example' } });
    expect(simple.headers.get('access-control-allow-origin')).to.equal('*');
  });

  it('a plain OPTIONS request (not a preflight), when sent, is answered by the router with Allow', async () => {
    const response = await fetch(`${closed.url}/api/products`, { method: 'OPTIONS' });
    expect(response.status).to.equal(200);
    expect(response.headers.get('allow')).to.contain('GET');
  });
});
