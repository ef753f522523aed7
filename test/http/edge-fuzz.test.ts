import { Agent, request } from 'node:http';
import { expect } from 'chai';
import { InMemoryExternalCatalog } from '../../src/adapters/in-memory/in-memory-external-catalog.js';
import { routeSpecs } from '../../src/adapters/http/openapi/route-specs.js';
import type { RouteSpec } from '../../src/adapters/http/openapi/route-spec.js';
import { ProblemSchema } from '../../src/adapters/http/schemas/problem-schema.js';
import { KnexProductRepository } from '../../src/adapters/persistence/knex-product-repository.js';
import { signWebhook } from '../../tools/mock-partner/sign-webhook.js';
import { startEdgeService, type EdgeService } from '../support/edge-service.js';
import { seeded } from '../support/partner-events.js';
import { tiedProducts } from '../support/product-fixtures.js';

const SEED = 20261124;
const REQUESTS = 3000;
const CONCURRENCY = 8;
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
// Headers the HTTP client itself owns, or that change the connection rather than the request.
const HOP_BY_HOP = new Set([
  'host',
  'connection',
  'upgrade',
  'transfer-encoding',
  'content-length',
  'expect',
  'te',
  'keep-alive',
  'trailer',
]);

interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

interface Outcome {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** Random requests around the documented routes: valid-looking, hostile, oversized, malformed. */
class RequestGenerator {
  private readonly random: () => number;

  constructor(
    seed: number,
    private readonly specs: readonly RouteSpec[],
  ) {
    this.random = seeded(seed);
  }

  next(): FuzzRequest {
    const spec = this.pick(this.specs);
    const method = this.chance(0.8) ? spec.method.toUpperCase() : this.pick(METHODS);
    const path = this.chance(0.1) ? this.garbagePath() : this.mutatePath(this.fillPath(spec));
    const query = this.query(spec);
    const body = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method) && this.chance(0.9) ? this.body() : undefined;
    const headers = this.headers(body);
    if (body && this.chance(0.5)) Object.assign(headers, this.signature(body));
    return { method, path: onTheWire(query ? `${path}?${query}` : path), headers, body };
  }

  private fillPath(spec: RouteSpec) {
    return spec.path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => {
      if (this.chance(0.3)) return spec.request?.examples?.params?.[name] ?? '1';
      return this.pick([
        () => String(this.int(0, 60)),
        () => this.pick(['0', '-1', '1.5', '1e3', '0x10', '2147483647', '2147483648', '99999999999', '%31', '%EF%BC%91', ' 1', '1%00']),
        () => this.pick(['swagger-ui.css', 'docs-init.js', '..', '..%2F..%2Fpackage.json', '%2e%2e', 'index.html', '%']),
        () => this.string(this.int(0, 40)),
        () => 'x'.repeat(this.int(100, 5000)),
      ])();
    });
  }

  private mutatePath(path: string) {
    return this.pick([
      () => path,
      () => path,
      () => path.toUpperCase(),
      () => `${path}/`,
      () => path.replace('/', '//'),
      () => `${path}/${this.string(this.int(1, 10))}`,
      () => `/${this.string(this.int(1, 8))}${path}`,
      () => path.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`),
    ])();
  }

  private garbagePath() {
    return `/${this.pick(['', '.', '..', '%', '%%', '%ZZ', '%00', '~', 'api', 'API', 'api/webhooks', 'docs/assets', '\u00e9'])}/${this.string(this.int(0, 30))}`;
  }

  private query(spec: RouteSpec) {
    if (this.chance(0.25)) return '';
    const known = Object.keys(spec.request?.query?.shape ?? {});
    const keys = [...known, 'limit', 'sort', 'cursor', 'q', 'x', '__proto__', 'constructor', 'a[b]', ''];
    const count = this.chance(0.05) ? this.int(30, 60) : this.int(1, 8);
    return Array.from({ length: count }, () => {
      const key = this.chance(0.1) ? this.string(this.int(0, 12)) : encodeURIComponent(this.pick(keys));
      if (this.chance(0.05)) return key;
      return `${key}=${this.value()}`;
    }).join('&');
  }

  private value() {
    return this.pick([
      () => String(this.int(-5, 200)),
      () =>
        this.pick([
          '',
          'asc',
          'desc',
          'price',
          'name',
          'createdAt',
          'fruit',
          'fruit,dairy',
          ',,,',
          '12.50',
          '0.001',
          'NaN',
          'Infinity',
          'null',
        ]),
      () => this.pick(['%', '%%', '%ZZ', '%00', '%E0%A4%A', '%F0%9F%A5%AD', '+', '++', '=', '==', '%26', '%3D', '..%2F', '%0D%0A']),
      () => encodeURIComponent(this.string(this.int(0, 120))),
      () => 'v'.repeat(this.int(90, 1500)),
      () => `${'A'.repeat(this.int(1, 60))}.${'b'.repeat(this.int(1, 60))}`,
    ])();
  }

  private headers(body: Buffer | undefined): Record<string, string> {
    const headers: Record<string, string> = {};
    const add = (name: string, value: string) => {
      if (!HOP_BY_HOP.has(name.toLowerCase())) headers[name] = value;
    };
    if (body || this.chance(0.2)) {
      add(
        'content-type',
        this.pick([
          'application/json',
          'application/json; charset=utf-8',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          '',
          'json',
          this.visible(20),
        ]),
      );
    }
    const extras: Array<() => void> = [
      () => add('accept', this.pick(['*/*', 'application/json', 'text/html', 'application/problem+json', this.visible(30)])),
      () => add('if-none-match', this.pick(['*', '"abc"', 'W/"x"', '"a", "b"', this.visible(50)])),
      () => add('x-request-id', this.pick(['abc-123', '', this.visible(this.int(0, 300))])),
      () => add('origin', this.pick(['https://shop.farmlokal.example', 'https://evil.example', 'null', this.visible(40)])),
      () => add('access-control-request-method', this.pick(['GET', 'POST', 'DELETE', this.visible(10)])),
      () =>
        add(
          'x-forwarded-for',
          this.pick([
            '203.0.113.7',
            '2001:db8::1',
            '10.0.0.1, 203.0.113.9',
            'unknown',
            '',
            ' , ,',
            this.visible(80),
            Array.from({ length: 50 }, (_, i) => `10.0.${i}.1`).join(', '),
          ]),
        ),
      () => add('x-forwarded-proto', this.pick(['https', 'http', 'gopher', this.visible(10)])),
      () => add('x-forwarded-host', this.visible(30)),
      () => add('webhook-id', this.visible(this.int(0, 250))),
      () => add('webhook-timestamp', this.pick([String(Math.floor(Date.now() / 1000)), '0', '-1', '99999999999999', this.visible(12)])),
      () => add('webhook-signature', this.pick(['v1,abc', 'v1,', 'v2,xyz', this.visible(this.int(0, 300))])),
      () => add('cookie', this.visible(100)),
      () => add('authorization', `Bearer ${this.visible(40)}`),
      () => add('range', this.pick(['bytes=0-10', 'bytes=-1', this.visible(20)])),
      () => add(this.token(this.int(1, 30)), this.chance(0.9) ? this.visible(this.int(0, 200)) : this.latin1(this.int(1, 50))),
    ];
    for (let i = this.int(0, 6); i > 0; i -= 1) this.pick(extras)();
    return headers;
  }

  private body(): Buffer {
    return this.pick([
      () => Buffer.alloc(0),
      () => Buffer.from(Array.from({ length: this.int(1, 3000) }, () => this.int(0, 255))),
      () => Buffer.from(JSON.stringify(this.json(3))),
      () => Buffer.from(JSON.stringify(this.partnerEvent())),
      () => Buffer.from(JSON.stringify(this.partnerEvent()).slice(0, this.int(1, 60))),
      () => Buffer.from(`{"filler":"${'x'.repeat(this.int(2000, 9000))}"}`),
      () => Buffer.from('\ufeff{"id":"evt_bom"}'),
    ])();
  }

  private partnerEvent() {
    const sku = this.pick(['FZ-0001', 'FZ-0002', 'NEW-1', '', '-bad', 'x'.repeat(70)]);
    const data = this.pick([
      () => ({ sku, version: this.int(-1, 5), price: this.pick(['12.50', '12.505', '-1', 12.5, '']) }),
      () => ({ sku, version: this.int(1, 5), stock: this.pick([0, 5, -1, 1.5, '3', 2 ** 31]) }),
      () => ({
        sku,
        version: this.int(1, 5),
        name: this.string(this.int(0, 30)),
        description: '',
        category: this.pick(['fruit', 'Fruit', '', 'a--b']),
        price: '10.00',
        stock: 1,
      }),
      () => ({ sku, version: this.int(1, 5) }),
      () => this.json(2),
    ])();
    return {
      id: this.pick([`evt_${this.int(0, 50)}`, '', ' ', 'x'.repeat(200), 42]),
      type: this.pick(['product.upserted', 'product.price_changed', 'product.stock_changed', 'product.deleted', 'product.reviewed', '', 7]),
      occurredAt: this.pick(['2026-01-02T08:30:00Z', '2026-01-02T08:30:00+05:30', 'yesterday', '', 0]),
      data,
    };
  }

  private signature(body: Buffer): Record<string, string> {
    const id = `msg_${this.int(0, 1e9)}`;
    const timestamp = Math.floor(Date.now() / 1000);
    return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signWebhook(SECRET, id, timestamp, body) };
  }

  private json(depth: number): unknown {
    const leaf = () =>
      this.pick<unknown>([null, true, false, this.int(-1e6, 1e6), this.random() * 1e9, this.string(this.int(0, 20)), '', []]);
    if (depth === 0 || this.chance(0.3)) return leaf();
    if (this.chance(0.5)) return Array.from({ length: this.int(0, 4) }, () => this.json(depth - 1));
    return Object.fromEntries(
      Array.from({ length: this.int(0, 5) }, () => [
        this.pick(['id', 'type', 'data', 'sku', '__proto__', this.string(5)]),
        this.json(depth - 1),
      ]),
    );
  }

  private string(length: number) {
    const alphabet = 'abcXYZ019-_.~!$&\'()*+,;=:@/?#[]% "<>\\^`{|}\u00e9\u0915\u{1f96d}\u0000\n';
    return Array.from({ length }, () => this.pick([...alphabet])).join('');
  }

  private visible(length: number) {
    return Array.from({ length }, () => String.fromCharCode(this.int(0x20, 0x7e))).join('');
  }

  private latin1(length: number) {
    return Array.from({ length }, () => String.fromCharCode(this.int(0x80, 0xff))).join('');
  }

  private token(length: number) {
    const tchar = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";
    return Array.from({ length }, () => this.pick([...tchar])).join('');
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)];
  }

  private int(min: number, max: number) {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  private chance(p: number) {
    return this.random() < p;
  }
}

/** Percent-encodes what an HTTP client cannot put in a request line; malformed escapes stay as they are. */
function onTheWire(target: string) {
  return target.replace(/[^\x21-\xff]/gu, (c) => encodeURIComponent(c).replace(/^%$/, '%25'));
}

function send(agent: Agent, port: number, fuzz: FuzzRequest): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, agent, method: fuzz.method, path: fuzz.path, headers: fuzz.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(fuzz.body);
  });
}

/** What is wrong with an answer, or undefined when it is acceptable. */
function verdict(fuzz: FuzzRequest, outcome: Outcome): string | undefined {
  const { status } = outcome;
  if (status >= 500) return `${status}: ${outcome.body.toString('utf8').slice(0, 200)}`;
  if (outcome.headers['x-content-type-options'] !== 'nosniff') return 'missing X-Content-Type-Options';
  if (outcome.headers['x-powered-by'] !== undefined) return 'X-Powered-By sent';
  if (status < 400) return undefined;
  if (!String(outcome.headers['content-type']).startsWith('application/problem+json'))
    return `${status} as ${String(outcome.headers['content-type'])}`;
  if (fuzz.method === 'HEAD') return undefined;
  let body: unknown;
  try {
    body = JSON.parse(outcome.body.toString('utf8'));
  } catch {
    return `${status} with a body that is not JSON`;
  }
  const problem = ProblemSchema.safeParse(body);
  if (!problem.success) return `${status} problem does not match the schema: ${JSON.stringify(problem.error.issues)}`;
  if (problem.data.status !== status) return `${status} problem says status ${problem.data.status}`;
  return undefined;
}

describe('The edge, under fuzzing', function () {
  // A hang guard, not a speed target: the work is a fixed number of requests, which a loaded
  // machine only makes slower.
  this.timeout(600_000);
  let service: EdgeService;

  before(async () => {
    service = await startEdgeService(
      {
        WEBHOOK_SECRETS: SECRET,
        WEBHOOK_BODY_LIMIT_BYTES: '4096',
        RATE_LIMIT_PUBLIC_POINTS: '1000000',
        RATE_LIMIT_WEBHOOK_POINTS: '1000000',
        CORS_ORIGINS: 'https://shop.farmlokal.example',
        TRUST_PROXY: '1',
        LOG_LEVEL: 'error',
      },
      {
        overrides: {
          ExternalCatalog: new InMemoryExternalCatalog(
            tiedProducts(10, 'FZ').map((draft) => ({ ...draft, createdAt: new Date(0), updatedAt: new Date(0) })),
          ),
        },
      },
    );
    await new KnexProductRepository(service.knex).upsert(tiedProducts(30, 'FZ'));
  });

  after(() => service.close());

  it(`${REQUESTS} seeded random requests to every route, when sent, get no 5xx and a valid problem+json for every 4xx`, async () => {
    const specs = routeSpecs({ webhookBodyLimitBytes: service.config.WEBHOOK_BODY_LIMIT_BYTES });
    const generator = new RequestGenerator(SEED, specs);
    const requests = Array.from({ length: REQUESTS }, () => generator.next());
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let nextIndex = 0;
    const worker = async () => {
      while (nextIndex < requests.length) {
        const fuzz = requests[nextIndex++];
        const described = `${fuzz.method} ${fuzz.path.slice(0, 200)} ${JSON.stringify(fuzz.headers).slice(0, 300)} body ${fuzz.body?.length ?? '-'}`;
        let outcome: Outcome;
        try {
          outcome = await send(agent, service.port, fuzz);
        } catch (error) {
          failures.push(`${described} -> ${(error as Error).message}`);
          continue;
        }
        statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
        const wrong = verdict(fuzz, outcome);
        if (wrong) failures.push(`${described} -> ${wrong}`);
      }
    };
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    } finally {
      agent.destroy();
    }
    expect(failures.slice(0, 10), `${failures.length} bad answers (seed ${SEED}):\n${failures.slice(0, 10).join('\n')}`).to.deep.equal([]);
    // The fuzz reached the interesting answers, not only one kind of refusal.
    for (const status of [200, 400, 401, 404, 405, 413, 414, 415]) {
      expect(statuses.get(status) ?? 0, `status ${status} in ${JSON.stringify(Object.fromEntries(statuses))}`).to.be.greaterThan(0);
    }
  });
});
