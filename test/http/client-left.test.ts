import { once } from 'node:events';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from '@koa/router';
import { expect } from 'chai';
import { Registry } from 'prom-client';
import { createHttpApp } from '../../src/adapters/http/create-http-app.js';
import { createHttpServer } from '../../src/adapters/http/create-http-server.js';
import { HttpMetrics } from '../../src/adapters/http/http-metrics.js';
import { requestScope } from '../../src/adapters/shared/request-scope.js';
import { createLogger } from '../../src/infrastructure/create-logger.js';

/** What a handler saw of its request's signal once its client had gone. */
interface Seen {
  readonly abortedWhenRead: boolean;
  readonly reason: string;
}

describe('A request whose client leaves before the answer', function () {
  this.timeout(10_000);
  let server: Server;
  let port: number;
  let started: () => void = () => undefined;
  let seen: (outcome: Seen) => void = () => undefined;

  before(async () => {
    const router = new Router();
    // Reads the signal at once, as a statement does, then waits for it to abort.
    router.get('/read-first', async () => {
      const { signal } = requestScope.current()!;
      started();
      await once(signal, 'abort');
      seen({ abortedWhenRead: false, reason: (signal.reason as DOMException).name });
    });
    // Reads the signal only after the connection has closed, as a statement queued behind others would.
    router.get('/read-late', async (ctx) => {
      started();
      await once(ctx.res, 'close');
      const { signal } = requestScope.current()!;
      seen({ abortedWhenRead: signal.aborted, reason: (signal.reason as DOMException).name });
    });
    const logger = createLogger({ LOG_LEVEL: 'silent' });
    const app = createHttpApp({ logger, metrics: new HttpMetrics(new Registry(), { defaultMetrics: false }), routers: [router] });
    server = createHttpServer(app.callback(), {
      maxHeaderBytes: 8192,
      keepAliveTimeoutMs: 5_000,
      headersTimeoutMs: 6_000,
      requestTimeoutMs: 7_000,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Sends GET `path`, and disconnects once the handler has started. */
  async function leaveDuring(path: string): Promise<Seen> {
    const handlerStarted = new Promise<void>((resolve) => (started = resolve));
    const outcome = new Promise<Seen>((resolve) => (seen = resolve));
    const client = request({ port, host: '127.0.0.1', path });
    client.on('error', () => undefined);
    client.end();
    await handlerStarted;
    client.destroy();
    return outcome;
  }

  it('a request, when its client leaves after the signal was read, has its signal aborted with an AbortError', async () => {
    expect(await leaveDuring('/read-first')).to.deep.equal({ abortedWhenRead: false, reason: 'AbortError' });
  });

  it('a request, when its signal is first read after its client left, gets it already aborted with an AbortError', async () => {
    expect(await leaveDuring('/read-late')).to.deep.equal({ abortedWhenRead: true, reason: 'AbortError' });
  });
});
