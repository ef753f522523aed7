import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { config as loadDotenv } from 'dotenv';
import { SyncCatalog, type SyncProgress } from '../../application/sync-catalog.js';
import { ConfigError } from '../config-error.js';
import { buildContainer } from '../container.js';
import { createKnex } from '../create-knex.js';
import { createLogger } from '../create-logger.js';
import { createRedisClient, redisTopology } from '../create-redis-client.js';
import { loadConfig, type Config } from '../load-config.js';
import { migrateLatest } from '../migrate.js';

// `npm run catalog:sync [-- --page-size N]`: pulls the partner catalogue into the products table.
// Progress bar on stderr (when it is a terminal), one summary line on stdout, exit 1 on failure.
loadDotenv({ quiet: true });

let config: Config;
let pageSize: number;
try {
  config = loadConfig(process.env);
  const { values } = parseArgs({ options: { 'page-size': { type: 'string' } } });
  pageSize = Number(values['page-size'] ?? config.CATALOG_SYNC_PAGE_SIZE);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 500) throw new ConfigError(['--page-size: must be a whole number from 1 to 500']);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}

const logger = createLogger(config, process.stderr);
const knex = await createKnex(config);
const topology = redisTopology(config);
const redis = topology ? await createRedisClient(topology, logger) : undefined;
const bar = new SingleBar(
  { format: 'catalog:sync [{bar}] {value}/{total} products | {pages} pages | {changed} changed', hideCursor: true, stream: process.stderr },
  Presets.shades_classic,
);
const started = performance.now();
let last: SyncProgress | undefined;
try {
  await migrateLatest(knex);
  const sync = buildContainer(config, { knex, redis, logger }).get(SyncCatalog);
  const summary = await sync.execute({
    pageSize,
    onProgress: (progress) => {
      const payload = { pages: progress.pages, changed: progress.changed };
      if (!last) bar.start(progress.total ?? progress.items, progress.items, payload);
      else bar.update(progress.items, payload);
      if (progress.total === undefined) bar.setTotal(progress.items);
      last = progress;
    },
  });
  bar.stop();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const resumed = summary.resumedAfterPages > 0 ? ` (resumed after page ${summary.resumedAfterPages})` : '';
  console.log(
    `catalog:sync done${resumed}: ${summary.items} products in ${summary.pages} pages; ` +
      `this run inserted or changed ${summary.changed}, in ${seconds} s`,
  );
} catch (error) {
  bar.stop();
  logger.error({ err: error }, 'catalog:sync failed');
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  const resume = last ? ` ${last.pages} page(s) are committed; run it again to resume.` : '';
  console.error(`catalog:sync stopped: ${error instanceof Error ? error.message : String(error)}${cause}.${resume}`);
  process.exitCode = 1;
} finally {
  await knex.destroy();
  if (redis?.isOpen) redis.destroy();
}
