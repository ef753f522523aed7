import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMockPartner } from './create-mock-partner.js';
import type { MockModule, MockPartnerContext, MockPartnerOptions } from './mock-module.js';
import { MOCK_PARTNER_MODULES } from './mock-partner-modules.js';

export interface RunningMockPartner {
  /** Base URL without a trailing slash, for example http://127.0.0.1:4010. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly context: MockPartnerContext;
  stop(): Promise<void>;
}

export interface StartMockPartnerOptions extends MockPartnerOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly modules?: readonly MockModule[];
}

/** Starts the mock partner in this process (tests, `npm start`); stop() closes every connection. */
export async function startMockPartner(options: StartMockPartnerOptions = {}): Promise<RunningMockPartner> {
  const { port = 0, host = '127.0.0.1', modules = MOCK_PARTNER_MODULES, ...mockOptions } = options;
  const { app, context } = createMockPartner(mockOptions, modules);
  const handle = app.callback();
  // Koa's callback answers its own errors (ctx.onerror) and never rejects: nothing waits for it.
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  return {
    url,
    port: address.port,
    server,
    context,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
