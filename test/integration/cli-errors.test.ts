import { execFile } from 'node:child_process';
import { expect } from 'chai';

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(script: string, env: Record<string, string>, args: string[] = []): Promise<Outcome> {
  const base: Record<string, string | undefined> = { ...process.env };
  for (const key of Object.keys(base)) if (/^(OAUTH_|PARTNER_|DATABASE_|REDIS_|WEBHOOK_)/.test(key)) delete base[key];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', `src/infrastructure/cli/${script}`, ...args],
      { env: { ...base, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** One line, saying what failed and what to do; no stack trace, no library's log lines. */
function expectOneLine(outcome: Outcome, pattern: RegExp) {
  expect(outcome.code, outcome.stderr).to.equal(1);
  expect(outcome.stderr.trim().split('\n'), outcome.stderr).to.have.length(1);
  expect(outcome.stderr).to.match(pattern);
  expect(outcome.stderr).to.not.match(/^\s+at /m);
}

describe('The CLIs, when their database or partner cannot be used', function () {
  this.timeout(60_000);
  const refused = { DATABASE_URL: 'mysql://root@127.0.0.1:1/farmlokal_cli_errors' };

  it('npm run migrate, when nothing listens at DATABASE_URL, says connection refused and what to do', async () => {
    expectOneLine(
      await cli('migrate.ts', refused),
      /^migrate failed: cannot connect to MariaDB\/MySQL at 127\.0\.0\.1:1 \(DATABASE_URL\): connection refused; start it/,
    );
  });

  it('npm run migrate, when the password is wrong, says access denied and where to correct it', async () => {
    const outcome = await cli('migrate.ts', { DATABASE_URL: 'mysql://farmlokal_nobody:wrong@127.0.0.1:3306/farmlokal_cli_errors' });
    expectOneLine(outcome, /refused the user name or password \(access denied\); correct the credentials in DATABASE_URL/);
  });

  it('npm run migrate, when the database host does not resolve, names the host problem', async () => {
    expectOneLine(
      await cli('migrate.ts', { DATABASE_URL: 'mysql://root@farmlokal-no-such-host.invalid:3306/x' }),
      /cannot resolve the host name .*DATABASE_URL/,
    );
  });

  it('npm run seed, when nothing listens at DATABASE_URL, says connection refused', async () => {
    expectOneLine(await cli('seed.ts', refused, ['--count', '10']), /^seed failed: cannot connect to MariaDB\/MySQL .*connection refused/);
  });

  it('npm run catalog:sync, when nothing listens at DATABASE_URL, says connection refused', async () => {
    expectOneLine(await cli('catalog-sync.ts', refused), /^catalog:sync failed: cannot connect to MariaDB\/MySQL .*connection refused/);
  });

  it('npm run webhooks:register, when the token endpoint refuses connections, says so in one line', async () => {
    const outcome = await cli('register-webhooks.ts', {
      WEBHOOK_PUBLIC_URL: 'https://farmlokal.example/api/webhooks/partner',
      PARTNER_API_URL: 'http://127.0.0.1:1',
      OAUTH_TOKEN_URL: 'http://127.0.0.1:1/oauth/token',
      OAUTH_CLIENT_ID: 'farmlokal',
      OAUTH_CLIENT_SECRET: 'secret',
      OAUTH_RETRIES: '0',
    });
    expectOneLine(outcome, /^webhooks:register failed: /);
  });

  it('a CLI, when LOG_LEVEL is not a level, names that key and nothing else', async () => {
    const outcome = await cli('migrate.ts', { LOG_LEVEL: 'verbose' });
    expect(outcome.code).to.equal(1);
    expect(outcome.stderr).to.match(/LOG_LEVEL: /);
    expect(outcome.stderr.match(/^\s+- /gm)).to.have.length(1);
  });
});
