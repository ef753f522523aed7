import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'chai';
import { KnexProductRepository } from '../../src/adapters/persistence/knex-product-repository.js';
import { migrateLatest } from '../../src/infrastructure/migrate.js';
import { webhookHeaders } from '../../tools/mock-partner/sign-webhook.js';
import { DEV_WEBHOOK_SECRET } from '../../tools/mock-partner/dev-webhook-secret.js';
import { tiedProducts } from '../support/product-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/services.js';

interface LogLine {
  readonly msg: string;
  readonly [key: string]: unknown;
}

describe('npm start (tools/dev/start.ts) with zero configuration', function () {
  this.timeout(60_000);
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'farmlokal-launcher-'));
  });

  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('the launcher, when OAUTH_TOKEN_URL is unset, starts the mock partner, points the service at it, and stops on SIGTERM', async () => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      PORT: '0',
      SQLITE_FILE: join(dataDir, 'db.sqlite'),
      SEED_DEMO: 'false',
      LOG_LEVEL: 'info',
    };
    for (const key of Object.keys(env)) {
      if (/^(OAUTH_|PARTNER_API_URL|DATABASE_URL|REDIS_URL|MOCK_PARTNER_|WORKERS)/.test(key)) delete env[key];
    }
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/dev/start.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: LogLine[] = [];
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // The exit code, or the signal that ended the process (so a failure says which).
    const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    const listening = new Promise<LogLine>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (raw) => {
        try {
          const line = JSON.parse(raw) as LogLine;
          lines.push(line);
          if (line.msg === 'listening') resolve(line);
        } catch {
          // not a log line
        }
      });
      void exited.then((code) => reject(new Error(`the service exited (${code}) before listening: ${stderr}`)));
    });

    try {
      const { url } = (await listening) as LogLine & { url: string };
      const started = lines.find((l) => /started the bundled mock partner/.test(l.msg)) as LogLine & { mockPartner: string };
      expect(started, 'the launcher logs that it started the mock').to.not.equal(undefined);
      const partner = lines.find((l) => l.msg === 'partner authentication: OAuth2 client credentials');
      expect(partner?.tokenUrl).to.equal(`${started.mockPartner}/oauth/token`);
      expect((await fetch(`${started.mockPartner}/__stats`)).status).to.equal(200);
      expect((await fetch(`${url}/livez`)).status).to.equal(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).to.equal(0);
    expect(lines.map((l) => l.msg)).to.include('shutdown complete');
  });

  describe('with a real database', () => {
    let database: TestDatabase;
    let productId: number;

    before(async () => {
      database = await createTestDatabase('farmlokal_launcher');
      await migrateLatest(database.knex);
      await new KnexProductRepository(database.knex).upsert(tiedProducts(1));
      productId = (await database.knex('products').first('id')).id as number;
    });

    after(() => database?.drop());

    function launch(extra: Record<string, string>) {
      const env: Record<string, string | undefined> = {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        DATABASE_URL: database.url,
        ...extra,
      };
      for (const key of Object.keys(env)) {
        if (/^(OAUTH_|PARTNER_API_URL|REDIS_URL|MOCK_PARTNER_|WORKERS|WEBHOOK_|CURSOR_SECRET)/.test(key) && !(key in extra))
          delete env[key];
      }
      const child = spawn(process.execPath, ['--import', 'tsx', 'tools/dev/start.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      // The exit code, or the signal that ended the process (so a failure says which).
      const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
      const url = (async () => {
        for (let i = 0; i < 1_200; i += 1) {
          const found = /"url":"(http:\/\/[^"]+)","msg":"listening"/.exec(output)?.[1];
          if (found) return found;
          if (child.exitCode !== null) break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        throw new Error(`the launcher did not start listening:\n${output}`);
      })();
      return { child, url, exited, output: () => output };
    }

    it('the launcher, when no partner is configured, starts no mock, warns, answers availability 503 "not configured" and refuses the published webhook secret', async () => {
      const launched = launch({ CURSOR_SECRET: 'launcher-test-cursor-secret-0123' });
      try {
        const url = await launched.url;
        expect(launched.output()).to.not.contain('started the bundled mock partner');
        expect(launched.output()).to.match(/"level":40,[^\n]*partner not configured: partner features are off/);
        const availability = await fetch(`${url}/api/products/${productId}/availability`);
        expect(availability.status).to.equal(503);
        expect(availability.headers.get('content-type')).to.match(/^application\/problem\+json/);
        expect(((await availability.json()) as { detail: string }).detail).to.match(/not configured/);
        const body = JSON.stringify({
          id: 'evt_launcher_1',
          type: 'product.deleted',
          occurredAt: new Date().toISOString(),
          data: { sku: 'FL-TIE-0001', version: 99 },
        });
        const delivery = await fetch(`${url}/api/webhooks/partner`, {
          method: 'POST',
          body,
          headers: webhookHeaders([DEV_WEBHOOK_SECRET], body),
        });
        expect(delivery.status).to.equal(401);
        expect(await database.knex('partner_event_inbox').count({ n: '*' }).first()).to.deep.equal({ n: 0 });
      } finally {
        launched.child.kill('SIGTERM');
      }
      expect(await launched.exited).to.equal(0);
    });

    it('the launcher, when WEBHOOK_SECRETS is the published development secret and PARTNER_MODE is unset, refuses to start', async () => {
      const launched = launch({ CURSOR_SECRET: 'launcher-test-cursor-secret-0123', WEBHOOK_SECRETS: DEV_WEBHOOK_SECRET });
      expect(await launched.exited).to.equal(1);
      expect(launched.output()).to.match(/WEBHOOK_SECRETS: secret 1 is the mock partner's published development secret/);
    });

    it('the launcher, when PARTNER_MODE=mock, starts the mock partner with its published secrets on the real database', async () => {
      const launched = launch({ PARTNER_MODE: 'mock' });
      try {
        await launched.url;
        expect(launched.output()).to.contain('started the bundled mock partner');
        expect(launched.output()).to.contain('partner authentication: OAuth2 client credentials');
      } finally {
        launched.child.kill('SIGTERM');
      }
      expect(await launched.exited).to.equal(0);
    });
  });
});
