import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect } from 'chai';

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
    const env: Record<string, string | undefined> = { ...process.env, PORT: '0', SQLITE_FILE: join(dataDir, 'db.sqlite'), SEED_DEMO: 'false', LOG_LEVEL: 'info' };
    for (const key of Object.keys(env)) {
      if (/^(OAUTH_|PARTNER_API_URL|DATABASE_URL|REDIS_URL|MOCK_PARTNER_|WORKERS)/.test(key)) delete env[key];
    }
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/dev/start.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: LogLine[] = [];
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
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
});
