import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { DEV_WEBHOOK_SECRET } from '../../tools/mock-partner/dev-webhook-secret.js';
import { jsonOf, startTestService, type TestService } from '../support/test-service.js';

const run = promisify(execFile);

/** The first ```sh block of the README's "Signature scheme" part of "## Partner webhooks (API B)". */
function readmeExample(): string {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Partner webhooks (API B)'));
  const scheme = section.slice(section.indexOf('### Signature scheme'));
  const block = /```sh\n([\s\S]*?)```/.exec(scheme);
  if (!block) throw new Error('README: no sh block under "Partner webhooks (API B)" / "Signature scheme"');
  return block[1];
}

describe('README: Partner webhooks (API B)', function () {
  this.timeout(30_000);
  let service: TestService;

  before(async () => {
    service = await startTestService({}, { WEBHOOK_SECRETS: DEV_WEBHOOK_SECRET });
  });

  after(() => service.close());

  it('the curl example, when run against the service, is applied once, then answered duplicate', async () => {
    const script = readmeExample().replace('http://127.0.0.1:3000', service.url);
    expect(JSON.parse((await run('bash', ['-euo', 'pipefail', '-c', script])).stdout)).to.deep.equal({
      eventId: 'evt_readme_0001',
      status: 'applied',
    });
    expect(JSON.parse((await run('bash', ['-euo', 'pipefail', '-c', script])).stdout)).to.deep.equal({
      eventId: 'evt_readme_0001',
      status: 'duplicate',
    });
    const { data } = await jsonOf(await fetch(`${service.url}/api/products?q=kesar`));
    expect(data.map((p: { sku: string; price: string }) => [p.sku, p.price])).to.deep.equal([['FL-DEMO-0001', '349.00']]);
  });
});
