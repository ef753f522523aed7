import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { loadConfig } from '../../src/infrastructure/load-config.js';
import { startService } from '../../src/infrastructure/start-service.js';
import { DEV_CLIENT } from '../../tools/mock-partner/dev-credentials.js';
import { startMockPartner, type RunningMockPartner } from '../../tools/mock-partner/start-mock-partner.js';
import { jsonOf } from '../support/test-service.js';

const run = promisify(execFile);
const CALLBACK = 'https://farmlokal.example/api/webhooks/partner';

describe('Partner webhook registration', function () {
  this.timeout(60_000);
  let mock: RunningMockPartner;
  let directory: string;
  let env: Record<string, string>;

  const subscriptions = async () => (await jsonOf(await fetch(`${mock.url}/__webhooks`))).subscriptions as { url: string }[];

  beforeEach(async () => {
    mock = await startMockPartner();
    directory = mkdtempSync(join(tmpdir(), 'farmlokal-webhooks-'));
    env = {
      SQLITE_FILE: join(directory, 'db.sqlite'),
      LOG_LEVEL: 'silent',
      SEED_DEMO: 'false',
      OAUTH_TOKEN_URL: `${mock.url}/oauth/token`,
      OAUTH_CLIENT_ID: DEV_CLIENT.id,
      OAUTH_CLIENT_SECRET: DEV_CLIENT.secret,
      PARTNER_API_URL: mock.url,
      WEBHOOK_PUBLIC_URL: CALLBACK,
      REDIS_URL: '',
      DATABASE_URL: '',
    };
  });

  afterEach(async () => {
    await mock.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('the service, when it starts with WEBHOOK_PUBLIC_URL set, registers it with the partner in the background', async () => {
    const service = await startService(loadConfig({ ...env, PORT: '0', HOST: '127.0.0.1' }));
    try {
      const deadline = Date.now() + 10_000;
      while ((await subscriptions()).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect((await subscriptions()).map((s) => s.url)).to.deep.equal([CALLBACK]);
    } finally {
      await service.shutdown('test');
    }
  });

  it('npm run webhooks:register, when run twice, creates the subscription once', async () => {
    const cli = () =>
      run(process.execPath, ['--import', 'tsx', 'src/infrastructure/cli/register-webhooks.ts'], { env: { ...process.env, ...env } });
    expect((await cli()).stdout).to.equal(`webhooks:register: ${CALLBACK} created\n`);
    expect((await cli()).stdout).to.equal(`webhooks:register: ${CALLBACK} already-registered\n`);
    expect((await subscriptions()).map((s) => s.url)).to.deep.equal([CALLBACK]);
  });

  it('npm run webhooks:register, when WEBHOOK_PUBLIC_URL is missing, exits 1 naming it', async () => {
    const failure = await run(process.execPath, ['--import', 'tsx', 'src/infrastructure/cli/register-webhooks.ts'], {
      env: { ...process.env, ...env, WEBHOOK_PUBLIC_URL: '' },
    }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).to.equal(1);
    expect(failure?.stderr).to.match(/WEBHOOK_PUBLIC_URL: required/);
  });
});
