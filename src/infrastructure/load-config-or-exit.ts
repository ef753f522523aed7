import { config as loadDotenv } from 'dotenv';
import { ConfigError } from './config-error.js';
import { loadConfig, type Config } from './load-config.js';

/**
 * The configuration of an entry point (the service, a CLI, the launcher): `.env`, then loadConfig
 * and `refuse` (further problems, such as published development secrets). When anything is wrong,
 * every problem is printed, with no stack trace, and the process exits with status 1. Imports
 * nothing heavy, so a bad key fails before drivers, Koa or the container are loaded.
 */
export function loadConfigOrExit(refuse: (config: Config) => readonly string[] = () => []): Config {
  loadDotenv({ quiet: true });
  try {
    const config = loadConfig(process.env);
    const refused = refuse(config);
    if (refused.length > 0) throw new ConfigError(refused);
    return config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
