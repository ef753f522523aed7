import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { config as loadDotenv } from 'dotenv';
import { createKnex } from '../create-knex.js';
import { loadConfig, type Config } from '../load-config.js';
import { migrateLatest } from '../migrate.js';
import { CatalogNotEmptyError } from '../seed/catalog-not-empty-error.js';
import { seedCatalog, type SeedPhase } from '../seed/seed-catalog.js';

// `npm run seed -- --count 1000000 [--seed N] [--reset]`: migrates, then fills the catalogue with
// generated products (DATABASE_URL, else the embedded SQLite file). Progress on stderr, one summary
// line on stdout, exit 1 when refused or failed.
loadDotenv({ quiet: true });

const USAGE = 'usage: npm run seed -- --count N [--seed N] [--reset]';
const MAX_COUNT = 50_000_000;

let config: Config;
let count: number;
let seed: number;
let reset: boolean;
try {
  config = loadConfig(process.env);
  const { values } = parseArgs({
    options: { count: { type: 'string' }, seed: { type: 'string', default: '1' }, reset: { type: 'boolean', default: false } },
  });
  count = wholeNumber('--count', values.count ?? '', 1, MAX_COUNT);
  seed = wholeNumber('--seed', values.seed, 0, 2 ** 32 - 1);
  reset = values.reset;
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  console.error(USAGE);
  process.exit(1);
}

// Products and their search terms load on two connections at once, whatever the service's pool size.
const knex = await createKnex({ ...config, DATABASE_POOL_SIZE: Math.max(2, config.DATABASE_POOL_SIZE) });
const bar = new SingleBar(
  { format: 'seed [{bar}] {value}/{total} products | {phase} | {duration_formatted}', hideCursor: true, stream: process.stderr },
  Presets.shades_classic,
);
const started = performance.now();
let exitCode = 0;
try {
  await migrateLatest(knex);
  bar.start(count, 0, { phase: 'starting' });
  await seedCatalog(knex, {
    count,
    seed,
    reset,
    onPhase: (phase: SeedPhase) => bar.update({ phase }),
    onProgress: (written) => bar.update(written),
  });
  bar.update({ phase: 'done' });
  bar.stop();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const target = config.DATABASE_URL ? 'MariaDB' : `SQLite (${config.SQLITE_FILE})`;
  console.log(`seeded ${count} products (seed ${seed}) into ${target} in ${seconds} s`);
} catch (error) {
  bar.stop();
  console.error(error instanceof CatalogNotEmptyError ? error.message : `seed failed: ${briefly(error)}`);
  exitCode = 1;
} finally {
  await knex.destroy();
}
process.exit(exitCode);

/** Database errors quote the whole statement, which for a bulk insert is megabytes long. */
function briefly(error: unknown) {
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 500 ? `${message.slice(0, 250)} ... ${message.slice(-250)}` : message;
}

function wholeNumber(option: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new Error(`${option}: must be a whole number from ${min} to ${max}`);
  }
  return n;
}
