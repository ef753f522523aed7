import { CliRefusal, runCli } from './run-cli.js';

// `npm run webhooks:register`: registers WEBHOOK_PUBLIC_URL with the partner (what the service does
// on start). Prints `created` or `already-registered`; exit 1 with a one-line cause when it cannot.
await runCli('webhooks:register', async (config) => {
  const missing = (['WEBHOOK_PUBLIC_URL', 'PARTNER_API_URL', 'OAUTH_TOKEN_URL'] as const).filter((key) => !config[key]);
  if (missing.length > 0) throw new CliRefusal(missing.map((key) => `${key}: required to register the partner webhook`).join('\n'));
  const { RegisterPartnerWebhook } = await import('../../application/register-partner-webhook.js');
  const { buildContainer } = await import('../container.js');
  const { createLogger } = await import('../create-logger.js');
  const { createRedisClient, redisTopology } = await import('../create-redis-client.js');
  const logger = createLogger(config, process.stderr);
  const topology = redisTopology(config);
  const redis = topology ? await createRedisClient(topology, logger) : undefined;
  try {
    // No database: the container's bindings are lazy, and registering resolves no database-backed port.
    const register = buildContainer(config, { redis, logger }).get(RegisterPartnerWebhook);
    const result = await register.execute({ callbackUrl: config.WEBHOOK_PUBLIC_URL! });
    console.log(`webhooks:register: ${config.WEBHOOK_PUBLIC_URL} ${result}`);
  } finally {
    if (redis?.isOpen) redis.destroy();
  }
});
