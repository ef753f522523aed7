import { config as loadDotenv } from 'dotenv';
import knexFactory from 'knex';
import { RegisterPartnerWebhook } from '../../application/register-partner-webhook.js';
import { ConfigError } from '../config-error.js';
import { buildContainer } from '../container.js';
import { knexConfig } from '../create-knex.js';
import { createLogger } from '../create-logger.js';
import { createRedisClient, redisTopology } from '../create-redis-client.js';
import { loadConfig, type Config } from '../load-config.js';

// `npm run webhooks:register`: registers WEBHOOK_PUBLIC_URL with the partner (what the service does
// on start). Prints `created` or `already-registered`; exit 1 when it cannot.
loadDotenv({ quiet: true });

let config: Config;
try {
  config = loadConfig(process.env);
  const missing = (['WEBHOOK_PUBLIC_URL', 'PARTNER_API_URL', 'OAUTH_TOKEN_URL'] as const).filter((key) => !config[key]);
  if (missing.length > 0) throw new ConfigError(missing.map((key) => `${key}: required to register the partner webhook`));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}

const logger = createLogger(config, process.stderr);
// The container wants a database handle; registering never queries it, so it never connects.
const knex = knexFactory(knexConfig(config));
const topology = redisTopology(config);
const redis = topology ? await createRedisClient(topology, logger) : undefined;
try {
  const register = buildContainer(config, { knex, redis, logger }).get(RegisterPartnerWebhook);
  const result = await register.execute({ callbackUrl: config.WEBHOOK_PUBLIC_URL! });
  console.log(`webhooks:register: ${config.WEBHOOK_PUBLIC_URL} ${result}`);
} catch (error) {
  console.error(`webhooks:register failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await knex.destroy();
  if (redis?.isOpen) redis.destroy();
}
