import cluster from 'node:cluster';
import { loadConfigOrExit } from '../../src/infrastructure/load-config-or-exit.js';
import { DEV_CLIENT } from '../mock-partner/dev-credentials.js';
import { DEV_WEBHOOK_SECRET } from '../mock-partner/dev-webhook-secret.js';

// `npm start` (compiled, via tools/dev/npm-start.mjs) and `npm run dev` (tsx): the service, plus
// the bundled mock partner in development only: on the embedded default (no DATABASE_URL) when no
// partner is configured, or whenever PARTNER_MODE=mock. The mock lives out here because src/ never
// imports tools/; the service only sees the settings below. It runs in this process and stops when
// the process exits, after the service has drained.
const config = loadConfigOrExit();

const mockWanted = config.PARTNER_MODE === 'mock' || (!config.DATABASE_URL && !config.OAUTH_TOKEN_URL);
if (cluster.isPrimary && mockWanted) {
  // Loaded only now, so a bad key above fails before Koa and pino are even read from disk.
  const { createLogger } = await import('../../src/infrastructure/create-logger.js');
  const { startMockPartner } = await import('../mock-partner/start-mock-partner.js');
  const logger = createLogger(config);
  const port = Number(process.env.MOCK_PARTNER_PORT?.trim() || 0);
  const mock = await startMockPartner({ port });
  if (config.OAUTH_TOKEN_URL || config.PARTNER_API_URL) {
    logger.warn('PARTNER_MODE=mock or no OAUTH_TOKEN_URL: the partner settings given are replaced by the bundled mock partner');
  }
  // Cluster workers inherit these, so they use this one mock instead of starting their own.
  Object.assign(process.env, {
    OAUTH_TOKEN_URL: `${mock.url}/oauth/token`,
    OAUTH_CLIENT_ID: DEV_CLIENT.id,
    OAUTH_CLIENT_SECRET: DEV_CLIENT.secret,
    PARTNER_API_URL: mock.url,
    // API B: the mock signs with its published development secret and delivers to this service.
    WEBHOOK_SECRETS: config.WEBHOOK_SECRETS.length > 0 ? config.WEBHOOK_SECRETS.join(',') : DEV_WEBHOOK_SECRET,
    ...(config.WEBHOOK_PUBLIC_URL || config.PORT === 0
      ? {}
      : { WEBHOOK_PUBLIC_URL: `http://127.0.0.1:${config.PORT}/api/webhooks/partner` }),
  });
  logger.info(
    { mockPartner: mock.url, tokenUrl: process.env.OAUTH_TOKEN_URL },
    'development: started the bundled mock partner (published secrets); partner settings point at it',
  );
}

await import('../../src/infrastructure/main.js');
