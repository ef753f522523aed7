import { expect } from 'chai';
import { DEV_CLIENT } from '../../tools/mock-partner/dev-credentials.js';
import { startMockPartner, type RunningMockPartner } from '../../tools/mock-partner/start-mock-partner.js';

describe('The bundled mock partner: control routes and OAuth token endpoint', () => {
  let mock: RunningMockPartner;
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

  const tokenRequest = (form: Record<string, string>, authorization = basic(DEV_CLIENT.id, DEV_CLIENT.secret)) =>
    fetch(`${mock.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
      body: new URLSearchParams(form).toString(),
    });

  const control = (path: string, body?: object) =>
    fetch(`${mock.url}${path}`, { method: 'POST', body: body ? JSON.stringify(body) : undefined });

  beforeEach(async () => {
    mock = await startMockPartner({ tokenLifetimeSeconds: 120 });
  });

  afterEach(() => mock.stop());

  it('POST /oauth/token, with valid client credentials, issues an opaque Bearer token with the configured lifetime', async () => {
    const response = await tokenRequest({ grant_type: 'client_credentials', scope: 'catalog:read' });
    expect(response.status).to.equal(200);
    expect(response.headers.get('cache-control')).to.equal('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).to.include({ token_type: 'Bearer', expires_in: 120, scope: 'catalog:read' });
    expect(body.access_token).to.be.a('string').with.length.greaterThan(20);
  });

  it('POST /oauth/token, with credentials in the body, accepts them like Basic', async () => {
    const response = await tokenRequest(
      { grant_type: 'client_credentials', client_id: DEV_CLIENT.id, client_secret: DEV_CLIENT.secret },
      '',
    );
    expect(response.status).to.equal(200);
  });

  for (const [what, form, authorization, status, error] of [
    ['a wrong secret', { grant_type: 'client_credentials' }, basic(DEV_CLIENT.id, 'nope'), 401, 'invalid_client'],
    ['no credentials', { grant_type: 'client_credentials' }, '', 401, 'invalid_client'],
    ['an unknown scope', { grant_type: 'client_credentials', scope: 'admin' }, undefined, 400, 'invalid_scope'],
    ['another grant type', { grant_type: 'password' }, undefined, 400, 'unsupported_grant_type'],
    [
      'two authentication methods',
      { grant_type: 'client_credentials', client_id: DEV_CLIENT.id, client_secret: DEV_CLIENT.secret },
      undefined,
      400,
      'invalid_request',
    ],
  ] as const) {
    it(`POST /oauth/token, with ${what}, answers ${status} ${error} as RFC 6749 describes`, async () => {
      const response = await tokenRequest(form, authorization);
      expect(response.status).to.equal(status);
      expect(((await response.json()) as { error: string }).error).to.equal(error);
      expect(mock.context.stats.get(`oauth.errors.${error}`)).to.equal(1);
    });
  }

  it('GET /oauth/whoami, with an issued token, answers; after POST /__oauth/revoke, answers 401 invalid_token', async () => {
    const { access_token: token } = (await (await tokenRequest({ grant_type: 'client_credentials' })).json()) as { access_token: string };
    const whoami = () => fetch(`${mock.url}/oauth/whoami`, { headers: { authorization: `Bearer ${token}` } });
    expect((await whoami()).status).to.equal(200);
    await control('/__oauth/revoke', { token });
    const rejected = await whoami();
    expect(rejected.status).to.equal(401);
    expect(rejected.headers.get('www-authenticate')).to.match(/error="invalid_token"/);
  });

  it('GET /__stats, after token requests, counts them; POST /__reset zeroes the counters, faults and tokens', async () => {
    await tokenRequest({ grant_type: 'client_credentials' });
    await tokenRequest({ grant_type: 'client_credentials' });
    expect(await (await fetch(`${mock.url}/__stats`)).json()).to.include({ 'oauth.tokenRequests': 2, 'oauth.tokensIssued': 2 });
    await control('/__faults', { latencyMs: 5 });
    expect((await control('/__reset')).status).to.equal(204);
    expect(await (await fetch(`${mock.url}/__stats`)).json()).to.deep.equal({});
    expect(mock.context.faults.latencyMs).to.equal(0);
    expect(mock.context.tokens.size).to.equal(0);
  });

  it('POST /__faults, with an error rate limited to one request on one path, fails exactly that request', async () => {
    const set = await control('/__faults', { errorRate: 1, errorStatus: 500, paths: ['/oauth/token'], remaining: 1 });
    expect(set.status).to.equal(200);
    expect((await tokenRequest({ grant_type: 'client_credentials' })).status).to.equal(500);
    expect((await tokenRequest({ grant_type: 'client_credentials' })).status).to.equal(200);
    expect(mock.context.stats.get('faults.errors')).to.equal(1);
  });

  it('POST /__faults, with down, drops connections so clients see a network error', async () => {
    await control('/__faults', { down: true });
    await expect(tokenRequest({ grant_type: 'client_credentials' })).to.be.rejectedWith(TypeError);
    expect((await fetch(`${mock.url}/__stats`)).status).to.equal(200);
  });

  it('POST /__faults, with a bad value, answers 400 problem+json naming it', async () => {
    const response = await control('/__faults', { errorRate: 2 });
    expect(response.status).to.equal(400);
    expect(response.headers.get('content-type')).to.match(/application\/problem\+json/);
    expect(((await response.json()) as { detail: string }).detail).to.match(/errorRate/);
  });
});
