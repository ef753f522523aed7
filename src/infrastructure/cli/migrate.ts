import { runCli } from './run-cli.js';

// `npm run migrate` (or `node dist/src/infrastructure/cli/migrate.js`): applies pending migrations
// to DATABASE_URL, else the embedded SQLite file. Exit 1 with a one-line cause when it cannot.
await runCli('migrate', async (config) => {
  const { createKnex } = await import('../create-knex.js');
  const { migrateLatest } = await import('../migrate.js');
  const knex = await createKnex(config);
  try {
    const applied = await migrateLatest(knex);
    console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'already up to date');
  } finally {
    await knex.destroy();
  }
});
