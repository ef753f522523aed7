import { CliRefusal, runCli } from './run-cli.js';

// `npm run webhooks:register`: registers WEBHOOK_PUBLIC_URL with the partner (what the service does
// on start). Prints `created` or `already-registered`; exit 1 with a one-line cause when it cannot.
await runCli('webhooks:register', async (config) => {
  const missing = (['WEBHOOK_PUBLIC_URL', 'PARTNER_API_URL', 'OAUTH_TOKEN_URL'] as const).filter((key) => !config[key]);
  if (missing.length > 0) throw new CliRefusal(missing.map((key) => `${key}: required to register the partner webhook`).join('\n'));
  const { default: knexFactory } = await import('knex');
  const { RegisterPartnerWebhook } = await import('../../application/register-partner-webhook.js');
  const { buildContainer } = await import('../container.js');
  const { knexConfig } = await import('../create-knex.js');
  const { createLogger } = await import('../create-logger.js');
  const { createRedisClient, redisTopology } = await import('../create-redis-client.js');
  const logger = createLogger(config, process.stderr);
  // The container wants a database handle; registering never queries it, so it never connects.
  const knex = knexFactory(knexConfig(config));
  const topology = redisTopology(config);
  const redis = topology ? await createRedisClient(topology, logger) : undefined;
  try {
    const register = buildContainer(config, { knex, redis, logger }).get(RegisterPartnerWebhook);
    const result = await register.execute({ callbackUrl: config.WEBHOOK_PUBLIC_URL! });
    console.log(`webhooks:register: ${config.WEBHOOK_PUBLIC_URL} ${result}`);
  } finally {
    await knex.destroy();
    if (redis?.isOpen) redis.destroy();
  }
});
