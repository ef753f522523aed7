import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { build, ROOT } from '../../tools/build.mjs';
import { productHistory } from '../../tools/mock-partner/partner-event-wire.js';
import { webhookHeaders } from '../../tools/mock-partner/sign-webhook.js';
import { createKnex } from '../../src/infrastructure/create-knex.js';
import { migrateLatest } from '../../src/infrastructure/migrate.js';
import { createTestDatabase } from '../support/services.js';

const SECRET = 'compiled-service-test-webhook-secret';

interface Run {
  readonly child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function run(command: string, args: string[], env: Record<string, string | undefined>, cwd = ROOT): Run {
  const child = spawn(command, args, { cwd, env: { ...cleanEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** This process's environment without the settings a developer's shell or .env might add. */
function cleanEnv() {
  const env: Record<string, string | undefined> = { ...process.env, NODE_OPTIONS: undefined };
  for (const key of Object.keys(env)) {
    if (/^(OAUTH_|PARTNER_|DATABASE_|REDIS_|WEBHOOK_|CURSOR_SECRET|WORKERS|MOCK_PARTNER_|METRICS_|DOCS_)/.test(key)) delete env[key];
  }
  return env;
}

async function listening(service: Run): Promise<string> {
  for (let i = 0; i < 1_200; i += 1) {
    const url = /"url":"(http:\/\/[^"]+)","msg":"listening"/.exec(service.output())?.[1];
    if (url) return url;
    if (service.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  service.child.kill('SIGKILL');
  throw new Error(`did not start listening:\n${service.output()}`);
}

/**
 * A webhook delivery in flight: the head goes out with `Expect: 100-continue`, and once the server
 * answers 100 Continue its handler is running and waiting for the body; `finish` sends the body,
 * `response` is the final status line and body.
 */
async function deliveryInFlight(url: string) {
  const [event] = productHistory('FL-COMPILED-1', 1);
  const body = Buffer.from(JSON.stringify(event));
  const head = [
    'POST /api/webhooks/partner HTTP/1.1',
    `Host: ${new URL(url).host}`,
    `Content-Length: ${body.length}`,
    'Connection: close',
    'Expect: 100-continue',
    ...Object.entries(webhookHeaders([SECRET], body, { id: event.id })).map(([name, value]) => `${name}: ${value}`),
    '',
    '',
  ].join('\r\n');
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  let received = '';
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const continued = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8');
      if (received.startsWith('HTTP/1.1 100')) resolve();
      else reject(new Error(`expected 100 Continue, got ${received.slice(0, 80)}`));
    });
  });
  socket.write(head);
  await continued;
  return {
    finish: () => socket.write(body),
    response: closed.then(() => {
      const final = received.slice(received.indexOf('\r\n\r\n') + 4);
      return { status: Number(final.split(' ')[1]), body: final.slice(final.indexOf('\r\n\r\n') + 4) };
    }),
  };
}

async function until(condition: () => boolean) {
  for (let i = 0; i < 1_000 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  return condition();
}

describe('The compiled service (npm run build, node dist/...)', function () {
  this.timeout(240_000);
  let outDir: string;
  let workDir: string;

  before(function () {
    // One build per test run, beside the repository so dist/ resolves its packages from node_modules.
    outDir = mkdtempSync(join(ROOT, '.build-test-'));
    const code = build({ outDir, stdio: 'pipe' });
    // 2: type errors elsewhere in the tree, JavaScript written all the same; the typecheck test reports them.
    expect(code, 'tsc -p tsconfig.build.json').to.be.oneOf([0, 2]);
  });

  beforeEach(() => {
    workDir = mkdtempSync(join(tmpdir(), 'farmlokal-compiled-'));
  });

  afterEach(() => rmSync(workDir, { recursive: true, force: true }));

  after(() => rmSync(outDir, { recursive: true, force: true }));

  const main = () => join(outDir, 'src/infrastructure/main.js');

  it('node dist/src/infrastructure/main.js, when sent SIGTERM with a request in flight, finishes that request and exits 0', async () => {
    const service = run(process.execPath, [main()], {
      PORT: '0',
      HOST: '127.0.0.1',
      SQLITE_FILE: join(workDir, 'db.sqlite'),
      SEED_DEMO: 'false',
      WEBHOOK_SECRETS: SECRET,
    });
    const url = await listening(service);
    const delivery = await deliveryInFlight(url);
    service.child.kill('SIGTERM');
    expect(await until(() => service.output().includes('shutting down')), service.output()).to.equal(true);
    expect((await fetch(`${url}/livez`).catch(() => null))?.status ?? 'refused', 'no new connections while draining').to.not.equal(200);
    delivery.finish();
    const response = await delivery.response;
    expect(response.status, response.body).to.equal(200);
    expect(JSON.parse(response.body)).to.include({ status: 'applied' });
    expect(await service.exited, service.output()).to.equal(0);
    expect(service.output()).to.contain('shutdown complete');
  });

  it('main.js, when keys are bad, names exactly those keys, exits 1, and has not loaded Knex, Koa or the drivers', async () => {
    const probe = join(workDir, 'loaded-packages.mjs');
    writeFileSync(
      probe,
      "import { createRequire } from 'node:module';\n" +
        'const cache = createRequire(import.meta.url).cache;\n' +
        "process.on('exit', () => process.stderr.write(`LOADED ${JSON.stringify(Object.keys(cache))}\\n`));\n",
    );
    const service = run(process.execPath, ['--import', probe, main()], { PORT: 'abc', LOG_LEVEL: 'verbose' });
    expect(await service.exited).to.equal(1);
    const output = service.output();
    expect(output).to.match(/PORT: must be a whole number/);
    expect(output).to.match(/LOG_LEVEL: /);
    expect(output).to.not.match(/WEBHOOK_PUBLIC_URL|at .*\.js:\d+/);
    const loaded = JSON.parse(/LOADED (.*)/.exec(output)![1]) as string[];
    expect(
      loaded.filter((path) => /node_modules\/(knex|koa|mysql2|better-sqlite3|redis|@redis|inversify|pino)\//.test(path)),
    ).to.deep.equal([]);
  });

  it('the launcher (dist/tools/dev/start.js), when PORT is not a number, reports PORT alone, not the webhook URL made from it', async () => {
    const launcher = run(process.execPath, [join(outDir, 'tools/dev/start.js')], { PORT: 'abc', SQLITE_FILE: join(workDir, 'db.sqlite') });
    expect(await launcher.exited).to.equal(1);
    expect(launcher.output()).to.match(/PORT: must be a whole number/);
    expect(launcher.output()).to.not.match(/WEBHOOK_PUBLIC_URL|LOG_LEVEL/);
  });

  it('main.js, with DATABASE_URL and the published cursor and webhook secrets, refuses to start and says how to make secrets', async () => {
    const service = run(process.execPath, [main()], {
      DATABASE_URL: 'mysql://nobody@127.0.0.1:1/never_connected',
      WEBHOOK_SECRETS: (await import('../../src/infrastructure/development-secrets.js')).DEVELOPMENT_WEBHOOK_SECRET,
    });
    expect(await service.exited).to.equal(1);
    const output = service.output();
    expect(output).to.match(/CURSOR_SECRET: .*openssl rand -hex 32/);
    expect(output).to.match(/WEBHOOK_SECRETS: secret 1 is the mock partner's published development secret/);
    expect(output, 'refused before connecting').to.not.match(/ECONNREFUSED|cannot connect/);
  });

  it('migrate.js from dist, on a MariaDB database migrated under tsx (names recorded as .ts), finds it up to date, also when rows say .js', async () => {
    const database = await createTestDatabase('farmlokal_compiled');
    try {
      const knex = await createKnex({ DATABASE_URL: database.url, SQLITE_FILE: ':memory:' });
      try {
        const applied = await migrateLatest(knex);
        expect(applied.length).to.be.greaterThan(0);
        expect(applied.every((name) => name.endsWith('.ts'))).to.equal(true);
      } finally {
        await knex.destroy();
      }
      const migrate = () => run(process.execPath, [join(outDir, 'src/infrastructure/cli/migrate.js')], { DATABASE_URL: database.url });
      const first = migrate();
      expect(await first.exited, first.output()).to.equal(0);
      expect(first.output()).to.contain('already up to date');
      await database.knex.raw("UPDATE knex_migrations SET name = REPLACE(name, '.ts', '.js')");
      const second = migrate();
      expect(await second.exited, second.output()).to.equal(0);
      expect(second.output()).to.contain('already up to date');
    } finally {
      await database.drop();
    }
  });

  it('a copy with only the runtime dependencies, when started with npm start and sent SIGTERM through npm, serves and exits 0', async () => {
    // What `npm ci --omit=dev` installs, without the registry: the dependencies of package.json only.
    // The copy lives outside the repository, so nothing resolves from its full node_modules by accident.
    const copy = join(workDir, 'app');
    mkdirSync(join(copy, 'node_modules', '@koa'), { recursive: true });
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const name of Object.keys(pkg.dependencies)) symlinkSync(join(ROOT, 'node_modules', name), join(copy, 'node_modules', name));
    for (const file of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'tools/build.mjs', 'tools/dev/npm-start.mjs']) {
      cpSync(join(ROOT, file), join(copy, file), { preserveTimestamps: true });
    }
    cpSync(outDir, join(copy, 'dist'), { recursive: true, preserveTimestamps: true });
    const npm = run(
      'npm',
      ['start'],
      { PORT: '0', HOST: '127.0.0.1', SQLITE_FILE: join(workDir, 'db.sqlite'), SEED_DEMO: 'true', WEBHOOK_SECRETS: SECRET },
      copy,
    );
    const url = await listening(npm);
    const page = (await (await fetch(`${url}/api/products?limit=1`)).json()) as { data: unknown[] };
    expect(page.data).to.have.length(1);
    expect(npm.output(), 'the embedded default starts the mock partner').to.contain('started the bundled mock partner');
    const delivery = await deliveryInFlight(url);
    npm.child.kill('SIGTERM');
    expect(await until(() => npm.output().includes('shutting down')), npm.output()).to.equal(true);
    delivery.finish();
    expect((await delivery.response).status).to.equal(200);
    expect(await npm.exited, npm.output()).to.equal(0);
    expect(npm.output()).to.contain('shutdown complete');
    expect(npm.output()).to.not.match(/Cannot find (package|module)/);
  });
});
