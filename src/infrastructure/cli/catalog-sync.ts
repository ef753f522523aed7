import { parseArgs } from 'node:util';
import type { SyncProgress } from '../../application/sync-catalog.js';
import { CliRefusal, runCli } from './run-cli.js';

// `npm run catalog:sync [-- --page-size N]`: pulls the partner catalogue into the products table.
// Progress bar on stderr (when it is a terminal), one summary line on stdout, exit 1 with a
// one-line cause on failure.
await runCli('catalog:sync', async (config) => {
  const { values } = parseArgs({ options: { 'page-size': { type: 'string' } } });
  const pageSize = Number(values['page-size'] ?? config.CATALOG_SYNC_PAGE_SIZE);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 500)
    throw new CliRefusal('--page-size: must be a whole number from 1 to 500');

  const { Presets, SingleBar } = await import('cli-progress');
  const { SyncCatalog } = await import('../../application/sync-catalog.js');
  const { buildContainer } = await import('../container.js');
  const { createKnex } = await import('../create-knex.js');
  const { createLogger } = await import('../create-logger.js');
  const { createRedisClient, redisTopology } = await import('../create-redis-client.js');
  const { explainFailure } = await import('../explain-failure.js');
  const { migrateLatest } = await import('../migrate.js');

  const logger = createLogger(config, process.stderr);
  const knex = await createKnex(config);
  const topology = redisTopology(config);
  const redis = topology
    ? await createRedisClient(topology, logger).catch(async (error: unknown) => {
        await knex.destroy();
        throw error;
      })
    : undefined;
  const bar = new SingleBar(
    {
      format: 'catalog:sync [{bar}] {value}/{total} products | {pages} pages | {changed} changed',
      hideCursor: true,
      stream: process.stderr,
    },
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
    logger.debug({ err: error }, 'catalog:sync failed');
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${explainFailure(error.cause, config)}` : '';
    const resume = last ? ` ${last.pages} page(s) are committed; run it again to resume.` : '';
    throw new CliRefusal(`stopped: ${error instanceof Error ? error.message : String(error)}${cause}.${resume}`);
  } finally {
    await knex.destroy();
    if (redis?.isOpen) redis.destroy();
  }
});
