import { config as loadDotenv } from 'dotenv';
import { createKnex } from '../create-knex.js';
import { loadConfig } from '../load-config.js';
import { migrateLatest } from '../migrate.js';

loadDotenv({ quiet: true });
const config = loadConfig(process.env);
const knex = await createKnex(config);
try {
  const applied = await migrateLatest(knex);
  console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'already up to date');
} finally {
  await knex.destroy();
}
