import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { requestListener } from '../../src/adapters/http/create-http-server.js';
import { READINESS_MAX_AGE_MS } from '../../src/application/check-readiness.js';
import type { HealthIndicator } from '../../src/domain/ports/health-indicator.js';
import { buildContainer } from '../../src/infrastructure/container.js';
import { createKnex } from '../../src/infrastructure/create-knex.js';
import { createLogger } from '../../src/infrastructure/create-logger.js';
import { createServiceApp } from '../../src/infrastructure/create-service-app.js';
import { loadConfig } from '../../src/infrastructure/load-config.js';
import { jsonOf, problemOf, startTestService, type TestService } from '../support/test-service.js';

const down: HealthIndicator = { name: 'database', check: () => Promise.reject(new Error('ECONNREFUSED 10.1.2.3')) };
const hanging: HealthIndicator = { name: 'redis', check: () => new Promise(() => undefined) };

describe('Health and metrics endpoints', () => {
  let service: TestService;

  before(async () => {
    service = await startTestService();
  });

  after(() => service.close());

  it('GET /livez, when the process runs, answers 200', async () => {
    expect((await fetch(`${service.url}/livez`)).status).to.equal(200);
  });

  it('GET /readyz, when every dependency answers, answers 200 listing them', async () => {
    const response = await fetch(`${service.url}/readyz`);
    expect(response.status).to.equal(200);
    const body = await jsonOf(response);
    expect(body.status).to.equal('ready');
    expect(body.dependencies.database.status).to.equal('up');
  });

  it('GET /readyz, when shutting down, answers 503', async () => {
    service.shuttingDown = true;
    try {
      await problemOf(await fetch(`${service.url}/readyz`), 503);
    } finally {
      service.shuttingDown = false;
    }
  });

  it('GET /readyz, when a dependency is down or hangs, answers 503 within the timeout without internals', async () => {
    const failing = await startTestService({ HealthIndicators: [down, hanging] });
    try {
      const problem = await problemOf(await fetch(`${failing.url}/readyz`), 503);
      expect(problem.dependencies).to.deep.include({});
      expect((problem.dependencies as Record<string, { status: string }>).database.status).to.equal('down');
      expect((problem.dependencies as Record<string, { status: string }>).redis.status).to.equal('down');
      expect(JSON.stringify(problem)).to.not.contain('10.1.2.3');
    } finally {
      await failing.close();
    }
  });

  it('GET /readyz, when 256 clients ask at once, probes each dependency once and answers all of them from that probe', async () => {
    const probes = { count: 0 };
    const counted: HealthIndicator = { name: 'database', check: async () => void (probes.count += 1) };
    const clock = { now: () => 1_000_000 };
    const flooded = await startTestService({ HealthIndicators: [counted], Clock: clock });
    try {
      const answers = await Promise.all(Array.from({ length: 256 }, () => fetch(`${flooded.url}/readyz`).then((r) => r.status)));
      expect(answers.filter((status) => status === 200)).to.have.length(256);
      expect(probes.count).to.equal(1);
      clock.now = () => 1_000_000 + READINESS_MAX_AGE_MS;
      await Promise.all(Array.from({ length: 16 }, () => fetch(`${flooded.url}/readyz`)));
      expect(probes.count, 'one more probe once the answer is a second old').to.equal(2);
    } finally {
      await flooded.close();
    }
  });

  it('GET /metrics, after traffic, exposes the duration histogram labelled by route template', async () => {
    await fetch(`${service.url}/api/products/12345`);
    await fetch(`${service.url}/api/products/67890`);
    const text = await (await fetch(`${service.url}/metrics`)).text();
    expect(text).to.contain('http_request_duration_seconds_bucket');
    expect(text).to.contain('route="/api/products/:id"');
    expect(text).to.not.contain('12345');
  });

  it('GET /metrics, when the metrics source has no complete answer (a worker did not report), answers 503 problem+json', async () => {
    const config = loadConfig({ SQLITE_FILE: ':memory:', LOG_LEVEL: 'silent' });
    const knex = await createKnex(config);
    const container = buildContainer(config, { knex, logger: createLogger(config) });
    const { app } = createServiceApp(container, {
      isShuttingDown: () => false,
      defaultMetrics: false,
      readMetrics: () => Promise.resolve(null),
    });
    const server = createServer(requestListener(app.callback()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
      expect(response.headers.get('retry-after')).to.equal('1');
      const problem = await problemOf(response, 503);
      expect(problem.title).to.equal('Metrics incomplete');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await knex.destroy();
    }
  });
});
