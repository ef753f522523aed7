import { get } from 'node:http';
import { expect } from 'chai';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.js';
import { createTestDatabase, createTestRedis, REDIS_URL, type TestDatabase, type TestRedis } from '../support/services.js';
import { describeWith } from '../support/backends.js';

const REQUESTS = 40;
const METRICS_ASKS = 8;

/** GET on a connection of its own, so the cluster hands each request to the next worker in turn. */
function getOnNewConnection(url: string): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, contentType: response.headers['content-type'] ?? '', body }));
    }).on('error', reject);
  });
}

function livezCount(exposition: string) {
  const line = exposition.split('\n').find((l) => l.startsWith('http_request_duration_seconds_count{') && l.includes('route="/livez"'));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describeWith(['mysql', 'redis'], 'Cluster-wide /metrics', function () {
  this.timeout(90_000);
  let database: TestDatabase;
  let redis: TestRedis;
  let service: ServiceProcess;
  let log = '';

  /** Access log lines of `route`, counted by the pid of the worker that served them. */
  const servedBy = (route: string) => {
    const counts = new Map<number, number>();
    for (const line of log.split('\n')) {
      if (!line.includes('"msg":"request"') || !line.includes(`"route":"${route}"`)) continue;
      const pid = Number(/"pid":(\d+)/.exec(line)?.[1]);
      counts.set(pid, (counts.get(pid) ?? 0) + 1);
    }
    return counts;
  };

  before(async () => {
    [database, redis] = await Promise.all([createTestDatabase('farmlokal_cluster_metrics'), createTestRedis('cluster-metrics')]);
    service = await startServiceProcess({
      WORKERS: '2',
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: redis.prefix,
      WEBHOOK_REGISTER_ON_START: 'false',
      SEED_DEMO: 'false',
      RATE_LIMIT_ENABLED: 'false',
    });
    service.child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    // startServiceProcess returns when the first worker listens; the suite needs both.
    for (let i = 0; i < 600 && (service.output().match(/"msg":"listening"/g) ?? []).length < 2; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((service.output().match(/"msg":"listening"/g) ?? []).length, service.output()).to.equal(2);
  });

  after(async () => {
    await service?.stop();
    await Promise.all([database?.drop(), redis?.cleanup()]);
  });

  it('GET /metrics, with WORKERS=2 and requests served by both workers, reports the sum of both from whichever worker answers', async () => {
    for (let i = 0; i < REQUESTS; i += 1) {
      expect((await getOnNewConnection(`${service.url}/livez`)).status).to.equal(200);
    }

    const counts: number[] = [];
    for (let i = 0; i < METRICS_ASKS; i += 1) {
      const response = await getOnNewConnection(`${service.url}/metrics`);
      expect(response.status, response.body).to.equal(200);
      expect(response.contentType).to.match(/^text\/plain/);
      counts.push(livezCount(response.body));
    }

    const livez = servedBy('/livez');
    const metrics = servedBy('/metrics');
    expect([...livez.keys()], 'both workers served /livez, so neither alone has every request').to.have.length(2);
    expect(Math.max(...livez.values())).to.be.below(REQUESTS);
    expect([...metrics.keys()], 'both workers answered /metrics').to.have.length(2);
    expect(counts, 'every answer counts the requests of both workers').to.deep.equal(Array(METRICS_ASKS).fill(REQUESTS));
  });
});
