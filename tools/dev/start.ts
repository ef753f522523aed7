import cluster from 'node:cluster';
import { config as loadDotenv } from 'dotenv';
import { pino } from 'pino';
import { DEV_CLIENT } from '../mock-partner/dev-credentials.js';
import { DEV_WEBHOOK_SECRET } from '../mock-partner/dev-webhook-secret.js';
import { startMockPartner } from '../mock-partner/start-mock-partner.js';

// `npm start`: the service, plus the bundled mock partner when no partner is configured. The mock
// lives out here because src/ never imports tools/; the service only sees the settings below.
// It runs in this process and stops when the process exits, after the service has drained.
loadDotenv({ quiet: true });

if (cluster.isPrimary && !process.env.OAUTH_TOKEN_URL?.trim()) {
  const logger = pino({ level: process.env.LOG_LEVEL?.trim() || 'info', base: { pid: process.pid } });
  const port = Number(process.env.MOCK_PARTNER_PORT?.trim() || 0);
  const servicePort = process.env.PORT?.trim() || '3000';
  const mock = await startMockPartner({ port });
  if (process.env.PARTNER_API_URL?.trim()) {
    logger.warn('PARTNER_API_URL is set but OAUTH_TOKEN_URL is not; pointing both at the bundled mock partner');
  }
  // Cluster workers inherit these, so they use this one mock instead of starting their own.
  Object.assign(process.env, {
    OAUTH_TOKEN_URL: `${mock.url}/oauth/token`,
    OAUTH_CLIENT_ID: DEV_CLIENT.id,
    OAUTH_CLIENT_SECRET: DEV_CLIENT.secret,
    PARTNER_API_URL: mock.url,
    // API B: the mock signs with its development secret and delivers to this service's webhook.
    WEBHOOK_SECRETS: process.env.WEBHOOK_SECRETS?.trim() || DEV_WEBHOOK_SECRET,
    ...(process.env.WEBHOOK_PUBLIC_URL?.trim() || servicePort === '0'
      ? {}
      : { WEBHOOK_PUBLIC_URL: `http://127.0.0.1:${servicePort}/api/webhooks/partner` }),
  });
  logger.info(
    { mockPartner: mock.url, tokenUrl: process.env.OAUTH_TOKEN_URL },
    'no OAUTH_TOKEN_URL: started the bundled mock partner; partner settings point at it',
  );
}

await import('../../src/infrastructure/main.js');
