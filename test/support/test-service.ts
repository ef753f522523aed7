import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Container } from 'inversify';
import type Koa from 'koa';
import type { Knex } from 'knex';
import type { Registry } from 'prom-client';
import { requestListener } from '../../src/adapters/http/create-http-server.js';
import { buildContainer, type Overrides } from '../../src/infrastructure/container.js';
import { createKnex } from '../../src/infrastructure/create-knex.js';
import { createLogger } from '../../src/infrastructure/create-logger.js';
import { createServiceApp } from '../../src/infrastructure/create-service-app.js';
import { loadConfig } from '../../src/infrastructure/load-config.js';
import { migrateLatest } from '../../src/infrastructure/migrate.js';

export interface TestService {
  readonly app: Koa;
  readonly container: Container;
  readonly registry: Registry;
  readonly knex: Knex;
  /** Base URL of a real HTTP server in front of the app. */
  readonly url: string;
  shuttingDown: boolean;
  close(): Promise<void>;
}

/** The whole service on an in-memory SQLite database and in-process caches, with `overrides` swapped in. */
export async function startTestService(overrides: Overrides = {}, env: Record<string, string> = {}): Promise<TestService> {
  const config = loadConfig({ SQLITE_FILE: ':memory:', LOG_LEVEL: 'silent', ...env });
  const knex = await createKnex(config);
  await migrateLatest(knex);
  const container = buildContainer(config, { knex, logger: createLogger(config) }, overrides);
  const service = { shuttingDown: false } as TestService;
  const { app, registry } = createServiceApp(container, { isShuttingDown: () => service.shuttingDown, defaultMetrics: false });
  const server = createServer(requestListener(app.callback()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(service, {
    app,
    container,
    registry,
    knex,
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await knex.destroy();
    },
  });
}

/** A response's JSON body, untyped: tests assert on its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function jsonOf(response: Response): Promise<any> {
  return response.json();
}

/** Checks the RFC 9457 shape every error response must have, and returns the parsed body. */
export async function problemOf(response: Response, status: number) {
  const body = await jsonOf(response);
  if (response.status !== status) throw new Error(`expected ${status}, got ${response.status}: ${JSON.stringify(body)}`);
  if (!response.headers.get('content-type')?.startsWith('application/problem+json')) {
    throw new Error(`expected application/problem+json, got ${response.headers.get('content-type')}`);
  }
  for (const field of ['type', 'title', 'status', 'detail', 'instance', 'requestId']) {
    if (!(field in body)) throw new Error(`problem body lacks ${field}: ${JSON.stringify(body)}`);
  }
  return body as {
    type: string;
    title: string;
    status: number;
    detail: string;
    errors?: { field: string; message: string }[];
    [k: string]: unknown;
  };
}
