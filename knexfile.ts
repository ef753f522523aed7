// Configuration for the Knex CLI (`npx knex --knexfile knexfile.ts ...`), read from the same
// environment as the service; `npm run migrate` is the usual way to migrate.
import { config as loadDotenv } from 'dotenv';
import { knexConfig } from './src/infrastructure/create-knex.js';
import { loadConfig } from './src/infrastructure/load-config.js';

loadDotenv({ quiet: true });

export default knexConfig(loadConfig(process.env));
