import { expect } from 'chai';
import { TokenRequestRejectedError } from '../../src/domain/errors/token-request-rejected-error.js';
import { TokenUnavailableError } from '../../src/domain/errors/token-unavailable-error.js';
import { startMockPartner, type RunningMockPartner } from '../../tools/mock-partner/start-mock-partner.js';
import { mockEndpoint, silentLogger, tokenRequests } from '../support/token-fixtures.js';

describe('HttpTokenEndpoint against the mock partner', () => {
  let mock: RunningMockPartner;
  let seen: { at: number; body: string; authorization: string | null }[];

  const recordingFetch: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    seen.push({
      at: performance.now(),
      body: typeof init?.body === 'string' ? init.body : '',
      authorization: headers.get('authorization'),
    });
    return fetch(input, init);
  };

  const faults = (patch: object) => Object.assign(mock.context.faults, patch);

  beforeEach(async () => {
    mock = await startMockPartner({ tokenLifetimeSeconds: 300 });
    seen = [];
  });

  afterEach(() => mock.stop());

  it('obtain, when authenticating by HTTP Basic (the default), posts the client-credentials form and returns a Bearer token', async () => {
    const token = await mockEndpoint(mock.url, { fetchImpl: recordingFetch, endpoint: { scope: 'catalog:read' } }).obtain();
    expect(token.value).to.be.a('string').and.not.equal('');
    const [request] = seen;
    expect(Object.fromEntries(new URLSearchParams(request.body))).to.deep.equal({
      grant_type: 'client_credentials',
      scope: 'catalog:read',
    });
    expect(request.authorization).to.match(/^Basic /);
  });

  it('obtain, when configured for body authentication, sends client_id and client_secret in the form instead', async () => {
    await mockEndpoint(mock.url, { fetchImpl: recordingFetch, endpoint: { clientAuth: 'body' } }).obtain();
    const form = new URLSearchParams(seen[0].body);
    expect(form.get('client_id')).to.equal('farmlokal-dev');
    expect(form.has('client_secret')).to.equal(true);
    expect(seen[0].authorization).to.equal(null);
  });

  it('obtain, when the secret has characters special in forms, encodes them so the server can decode them', async () => {
    await mock.stop();
    mock = await startMockPartner({ clients: [{ id: 'id with:colon', secret: 'p@ss word+/%', scopes: [] }] });
    const token = await mockEndpoint(mock.url, { endpoint: { clientId: 'id with:colon', clientSecret: 'p@ss word+/%' } }).obtain();
    expect(token.value).to.not.equal('');
  });

  it('obtain, when the server sends token_type in another case, accepts it as Bearer', async () => {
    faults({ tokenType: 'bEaReR' });
    const token = await mockEndpoint(mock.url).obtain();
    expect(token.value).to.not.equal('');
  });

  it('obtain, when the server sends a token type other than Bearer, rejects it without retrying', async () => {
    faults({ tokenType: 'mac' });
    await expect(mockEndpoint(mock.url).obtain()).to.be.rejectedWith(TokenRequestRejectedError, /unsupported_token_type/);
    expect(tokenRequests(mock)).to.equal(1);
  });

  it('obtain, when expires_in is present, counts the lifetime from when the request was sent', async () => {
    let calls = 0;
    const clock = { now: () => (calls++ === 0 ? 1_000_000 : 9_999_999) };
    faults({ latencyMs: 50 });
    const token = await mockEndpoint(mock.url, { clock }).obtain();
    expect(token.issuedAt).to.equal(1_000_000);
    expect(token.expiresAt).to.equal(1_000_000 + 300_000);
  });

  it('obtain, when expires_in is absent, uses the configured default lifetime', async () => {
    faults({ omitExpiresIn: true });
    const clock = { now: () => 5_000 };
    const token = await mockEndpoint(mock.url, { clock, endpoint: { defaultLifetimeMs: 120_000 } }).obtain();
    expect(token.expiresAt).to.equal(5_000 + 120_000);
  });

  it('obtain, when the client is unknown (invalid_client), fails fast with a clear typed error and one request', async () => {
    const endpoint = mockEndpoint(mock.url, { fetchImpl: recordingFetch, endpoint: { clientSecret: 'wrong' } });
    const error = await endpoint.obtain().then(
      () => expect.fail('expected a rejection'),
      (e: unknown) => e as TokenRequestRejectedError,
    );
    expect(error).to.be.instanceOf(TokenRequestRejectedError);
    expect(error.oauthError).to.equal('invalid_client');
    expect(error.message).to.match(/refused the token request: invalid_client/);
    expect(seen).to.have.length(1);
  });

  it('obtain, when the scope is not allowed (invalid_scope), fails with that error code and no retry', async () => {
    await expect(mockEndpoint(mock.url, { endpoint: { scope: 'admin' } }).obtain()).to.be.rejectedWith(
      TokenRequestRejectedError,
      /invalid_scope/,
    );
    expect(tokenRequests(mock)).to.equal(1);
  });

  it('obtain, when the server answers 5xx twice, retries with full-jitter backoff doubling per retry and then returns the token', async () => {
    faults({ errorRate: 1, errorStatus: 503, remaining: 2 });
    const waits: unknown[] = [];
    const logger = { ...silentLogger, warn: (fields: object) => waits.push((fields as { retryInMs?: unknown }).retryInMs) };
    const endpoint = mockEndpoint(mock.url, {
      fetchImpl: recordingFetch,
      logger,
      random: () => 0.5,
      endpoint: { retryMinDelayMs: 50, retryMaxDelayMs: 1_000 },
    });
    const token = await endpoint.obtain();
    expect(token.value).to.not.equal('');
    expect(seen).to.have.length(3);
    expect(mock.context.stats.get('faults.errors')).to.equal(2);
    expect(waits).to.deep.equal([25, 50]);
  });

  it('obtain, when the server keeps answering 5xx, gives up after the configured retries with TokenUnavailableError', async () => {
    faults({ errorRate: 1, errorStatus: 502 });
    await expect(mockEndpoint(mock.url, { fetchImpl: recordingFetch, endpoint: { retries: 2 } }).obtain()).to.be.rejectedWith(
      TokenUnavailableError,
      /failed 3 times, last: HTTP 502/,
    );
    expect(seen).to.have.length(3);
  });

  it('obtain, when the connection drops (network error), retries and reports the endpoint unavailable', async () => {
    faults({ down: true });
    const error = await mockEndpoint(mock.url, { fetchImpl: recordingFetch, endpoint: { retries: 1 } })
      .obtain()
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TokenUnavailableError);
    expect((error as Error).message).to.match(/network error/);
    expect((error as TokenUnavailableError).code).to.equal('DEPENDENCY_UNAVAILABLE');
    expect(seen).to.have.length(2);
  });

  it('obtain, when the server answers a 4xx that is not an OAuth error, fails without retrying', async () => {
    const endpoint = mockEndpoint(`${mock.url}/no-such-path`, { fetchImpl: recordingFetch });
    await expect(endpoint.obtain()).to.be.rejectedWith(TokenRequestRejectedError, /unexpected_response/);
    expect(seen).to.have.length(1);
  });
});
