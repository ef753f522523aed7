import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { expect } from 'chai';
import { rawRequest } from '../support/raw-http.js';
import { startTestService, type TestService } from '../support/test-service.js';

const SECRET = 'early-refusal-test-secret-0123456789';
const DECLARED_BYTES = 200_000;
const SENT_BODY_BYTES = 1_024;

/**
 * The webhook route's cheap refusals, measured in bytes the server read from the socket: a request
 * declaring a 200 kB body sends only its head and 1 KiB of it; the answer must come without the
 * rest, and the connection must close instead of being drained.
 */
describe('POST /api/webhooks/partner refused before its body is read', () => {
  const services: TestService[] = [];
  const servers: Server[] = [];

  after(async () => {
    for (const server of servers) await new Promise((resolve) => server.close(resolve));
    for (const service of services) await service.close();
  });

  async function serve(env: Record<string, string>) {
    const service = await startTestService({}, { RATE_LIMIT_ENABLED: 'false', ...env });
    services.push(service);
    const sockets: Socket[] = [];
    const handle = service.app.callback();
    const server = createServer((req, res) => void handle(req, res));
    server.on('connection', (socket) => sockets.push(socket));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { port: (server.address() as AddressInfo).port, sockets };
  }

  async function bytesReadFor(env: Record<string, string>, headers: Record<string, string>) {
    const { port, sockets } = await serve(env);
    const head = [
      'POST /api/webhooks/partner HTTP/1.1',
      'Host: 127.0.0.1',
      'Content-Type: application/json',
      `Content-Length: ${DECLARED_BYTES}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      '',
      '',
    ].join('\r\n');
    const response = await rawRequest(port, Buffer.concat([Buffer.from(head), Buffer.alloc(SENT_BODY_BYTES, 0x20)]));
    const socket = sockets[0];
    if (!socket.destroyed) await new Promise((resolve) => socket.once('close', resolve));
    return { response, bytesRead: socket.bytesRead, headBytes: Buffer.byteLength(head) };
  }

  const now = () => String(Math.floor(Date.now() / 1000));
  const cases: Array<[string, Record<string, string>, Record<string, string>]> = [
    ['no signature headers', { WEBHOOK_SECRETS: SECRET }, {}],
    [
      'a timestamp an hour old',
      { WEBHOOK_SECRETS: SECRET },
      { 'webhook-id': 'evt_1', 'webhook-timestamp': String(Number(now()) - 3600), 'webhook-signature': 'v1,AAAA' },
    ],
    [
      'a timestamp that is not a number',
      { WEBHOOK_SECRETS: SECRET },
      { 'webhook-id': 'evt_1', 'webhook-timestamp': 'soon', 'webhook-signature': 'v1,AAAA' },
    ],
    ['no secret configured on the server', {}, { 'webhook-id': 'evt_1', 'webhook-timestamp': now(), 'webhook-signature': 'v1,AAAA' }],
  ];

  for (const [what, env, headers] of cases) {
    it(`a delivery, with ${what}, is answered 401 and closed after at most its head and the first KiB sent`, async () => {
      const { response, bytesRead, headBytes } = await bytesReadFor(env, headers);
      expect(response.status).to.equal(401);
      expect(response.headers['connection']).to.equal('close');
      expect(response.headers['content-type']).to.match(/^application\/problem\+json/);
      expect(bytesRead).to.be.at.most(headBytes + SENT_BODY_BYTES);
      expect(bytesRead).to.be.below(DECLARED_BYTES / 10);
    });
  }

  it('a delivery, with a body declared over the limit, is answered 413 and closed unread', async () => {
    const { response, bytesRead, headBytes } = await bytesReadFor(
      { WEBHOOK_SECRETS: SECRET, WEBHOOK_BODY_LIMIT_BYTES: '65536' },
      { 'webhook-id': 'evt_1', 'webhook-timestamp': now(), 'webhook-signature': 'v1,AAAA' },
    );
    expect(response.status).to.equal(413);
    expect(response.headers['connection']).to.equal('close');
    expect(bytesRead).to.be.at.most(headBytes + SENT_BODY_BYTES);
  });
});
