import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type Koa from 'koa';
import type { Knex } from 'knex';
import type { Registry } from 'prom-client';
import { createHttpServer } from '../../src/adapters/http/create-http-server.js';
import type { RedisClient } from '../../src/adapters/redis/redis-client.js';
import { buildContainer, type Overrides } from '../../src/infrastructure/container.js';
import { createKnex } from '../../src/infrastructure/create-knex.js';
import { createLogger } from '../../src/infrastructure/create-logger.js';
import { createServiceApp } from '../../src/infrastructure/create-service-app.js';
import { loadConfig, type Config } from '../../src/infrastructure/load-config.js';
import { migrateLatest } from '../../src/infrastructure/migrate.js';

export interface EdgeService {
  readonly app: Koa;
  readonly config: Config;
  readonly server: Server;
  readonly registry: Registry;
  readonly knex: Knex;
  readonly url: string;
  readonly port: number;
  /** Every log line written so far, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface EdgeServiceOptions {
  /** Given to the app for the rate-limit budgets only (the other adapters stay in process). */
  readonly redis?: RedisClient;
  /** Container bindings to replace, as in buildContainer. */
  readonly overrides?: Overrides;
}

/**
 * The whole service on in-memory SQLite, behind the same Node server (createHttpServer) and edge
 * settings the bootstrap uses, configured from `env`; log lines are captured for assertions.
 */
export async function startEdgeService(env: Record<string, string> = {}, options: EdgeServiceOptions = {}): Promise<EdgeService> {
  const config = loadConfig({ SQLITE_FILE: ':memory:', LOG_LEVEL: 'warn', ...env });
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger(config, sink);
  const knex = await createKnex(config);
  await migrateLatest(knex);
  const container = buildContainer(config, { knex, logger }, options.overrides);
  const { app, registry } = createServiceApp(container, { isShuttingDown: () => false, defaultMetrics: false, redis: options.redis });
  const server = createHttpServer(app.callback(), {
    maxHeaderBytes: config.HTTP_MAX_HEADER_BYTES,
    keepAliveTimeoutMs: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    app,
    config,
    server,
    registry,
    knex,
    url: `http://127.0.0.1:${port}`,
    port,
    logs,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await knex.destroy();
    },
  };
}
