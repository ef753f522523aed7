import { parseArgs } from 'node:util';
import { CliRefusal, runCli } from './run-cli.js';

// `npm run seed -- --count 1000000 [--seed N] [--reset]`: migrates, then fills the catalogue with
// generated products (DATABASE_URL, else the embedded SQLite file). Progress on stderr, one summary
// line on stdout, exit 1 when refused or failed.
const USAGE = 'usage: npm run seed -- --count N [--seed N] [--reset]';
const MAX_COUNT = 50_000_000;

await runCli('seed', async (config) => {
  let count: number;
  let seed: number;
  let reset: boolean;
  try {
    const { values } = parseArgs({
      options: { count: { type: 'string' }, seed: { type: 'string', default: '1' }, reset: { type: 'boolean', default: false } },
    });
    count = wholeNumber('--count', values.count ?? '', 1, MAX_COUNT);
    seed = wholeNumber('--seed', values.seed, 0, 2 ** 32 - 1);
    reset = values.reset;
  } catch (error) {
    throw new CliRefusal(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }

  const { Presets, SingleBar } = await import('cli-progress');
  const { createKnex } = await import('../create-knex.js');
  const { migrateLatest } = await import('../migrate.js');
  const { CatalogNotEmptyError } = await import('../seed/catalog-not-empty-error.js');
  const { seedCatalog } = await import('../seed/seed-catalog.js');
  // Products and their search terms load on two connections at once, whatever the service's pool size.
  const knex = await createKnex({ ...config, DATABASE_POOL_SIZE: Math.max(2, config.DATABASE_POOL_SIZE) });
  const bar = new SingleBar(
    { format: 'seed [{bar}] {value}/{total} products | {phase} | {duration_formatted}', hideCursor: true, stream: process.stderr },
    Presets.shades_classic,
  );
  const started = performance.now();
  try {
    await migrateLatest(knex);
    bar.start(count, 0, { phase: 'starting' });
    await seedCatalog(knex, {
      count,
      seed,
      reset,
      onPhase: (phase) => bar.update({ phase }),
      onProgress: (written) => bar.update(written),
    });
    bar.update({ phase: 'done' });
    bar.stop();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const target = config.DATABASE_URL ? 'MariaDB' : `SQLite (${config.SQLITE_FILE})`;
    console.log(`seeded ${count} products (seed ${seed}) into ${target} in ${seconds} s`);
  } catch (error) {
    bar.stop();
    // Refused because the catalogue has products: its message already says what to do (--reset).
    if (error instanceof CatalogNotEmptyError) throw new CliRefusal(error.message);
    throw error;
  } finally {
    await knex.destroy();
  }
});
// The progress bar and pools can leave handles behind; the work is done or has failed by now.
process.exit(process.exitCode ?? 0);

function wholeNumber(option: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new Error(`${option}: must be a whole number from ${min} to ${max}`);
  }
  return n;
}
