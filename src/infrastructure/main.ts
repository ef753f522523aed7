import { config as loadDotenv } from 'dotenv';
import { ConfigError } from './config-error.js';
import { developmentSecretProblems } from './development-secrets.js';
import { loadConfig, type Config } from './load-config.js';

// The service's entry point (`node dist/src/infrastructure/main.js`). The configuration is checked
// before the database drivers, Koa and the container are even loaded, so a bad key fails at once
// with every bad key named, and nothing else.
loadDotenv({ quiet: true });

let config: Config;
try {
  config = loadConfig(process.env);
  const refused = developmentSecretProblems(config);
  if (refused.length > 0) throw new ConfigError(refused);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const { runService } = await import('./run-service.js');
await runService(config);
