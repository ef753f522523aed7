import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadConfig } from '../../src/infrastructure/load-config.js';
import { startService, type RunningService } from '../../src/infrastructure/start-service.js';
import { startTestService, type TestService } from '../support/test-service.js';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('/metrics and /docs exposure', function () {
  this.timeout(30_000);

  describe('when turned off', () => {
    let service: TestService;
    before(async () => {
      service = await startTestService({}, { METRICS_ENABLED: 'false', DOCS_ENABLED: 'false' });
    });
    after(() => service.close());

    it('METRICS_ENABLED=false and DOCS_ENABLED=false, when asked for /metrics, /docs or /openapi.json, answer 404 while the API serves', async () => {
      for (const path of ['/metrics', '/docs', '/openapi.json']) expect((await fetch(`${service.url}${path}`)).status, path).to.equal(404);
      expect((await fetch(`${service.url}/api/products?limit=1`)).status).to.equal(200);
      expect((await fetch(`${service.url}/livez`)).status).to.equal(200);
    });
  });

  describe('on a port of its own', () => {
    let directory: string;
    let service: RunningService;
    let metricsPort: number;

    before(async () => {
      directory = mkdtempSync(join(tmpdir(), 'farmlokal-exposure-'));
      metricsPort = await freePort();
      const config = loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        SQLITE_FILE: join(directory, 'db.sqlite'),
        SEED_DEMO: 'false',
        METRICS_PORT: String(metricsPort),
      });
      service = await startService(config);
    });

    after(async () => {
      await service?.shutdown('test');
      rmSync(directory, { recursive: true, force: true });
    });

    it("METRICS_PORT, when set, serves /metrics there only, counting the public port's requests, and closes with the service", async () => {
      expect((await fetch(`${service.url}/metrics`)).status, 'not on the public port').to.equal(404);
      await fetch(`${service.url}/livez`);
      const scrape = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(scrape.status).to.equal(200);
      expect(await scrape.text()).to.match(/http_request_duration_seconds_count\{[^}]*route="\/livez"/);
      expect((await fetch(`http://127.0.0.1:${metricsPort}/api/products`)).status, 'nothing else there').to.equal(404);
      const openapi = (await (await fetch(`${service.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(openapi.paths)).to.not.include('/metrics');
      await service.shutdown('test');
      await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).to.be.rejected;
    });
  });

  it('METRICS_PORT, when equal to PORT, is a configuration error naming METRICS_PORT', () => {
    expect(() => loadConfig({ PORT: '3000', METRICS_PORT: '3000' })).to.throw(/METRICS_PORT: must differ from PORT/);
  });
});
