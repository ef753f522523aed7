import { expect } from 'chai';
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
