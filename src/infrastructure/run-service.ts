import cluster from 'node:cluster';
import { clusterMetricsSource, serveClusterMetrics } from './cluster-metrics.js';
import { createKnex } from './create-knex.js';
import { createLogger } from './create-logger.js';
import { explainFailure } from './explain-failure.js';
import type { Config } from './load-config.js';
import { migrateLatest } from './migrate.js';
import { startService } from './start-service.js';

/**
 * The service process: one instance, or with WORKERS > 1 a primary that migrates and forks workers
 * sharing the port. SIGTERM/SIGINT drain and exit 0. Loaded by main.ts once the configuration is valid.
 */
export async function runService(config: Config): Promise<void> {
  const logger = createLogger(config);
  try {
    if (cluster.isPrimary && config.WORKERS > 1) {
      await runPrimary(config, logger);
    } else {
      await runInstance(config, cluster.isWorker, logger);
    }
  } catch (error) {
    logger.fatal({ err: error }, `cannot start: ${explainFailure(error, config)}`);
    process.exit(1);
  }
}

type Logger = ReturnType<typeof createLogger>;

async function runInstance(config: Config, inCluster: boolean, logger: Logger) {
  const starting = startService(config, {
    logger,
    prepareDatabase: !inCluster,
    metricsSource: inCluster ? (registry) => clusterMetricsSource(registry) : undefined,
  });
  // Handlers before the start completes: without one, a signal that lands after the server began
  // listening but before startService returned (the metrics port's listen, for one) takes the
  // default action and ends the process undrained. One during the start waits for the start (its
  // waits are bounded), then drains; a start that fails exits 1 either way.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      starting
        .then((service) => service.shutdown(signal))
        .then(
          () => process.exit(0),
          (error) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
    });
  }
  await starting;
}

async function runPrimary(config: Config, logger: Logger) {
  if (config.MIGRATE_ON_START) {
    const knex = await createKnex(config);
    try {
      await migrateLatest(knex);
    } finally {
      await knex.destroy();
    }
  }
  logger.info({ workers: config.WORKERS }, 'starting workers sharing one port');
  let stopping = false;
  serveClusterMetrics(logger);
  for (let i = 0; i < config.WORKERS; i += 1) cluster.fork();
  cluster.on('exit', (worker, code) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    logger.error({ pid: worker.process.pid, code }, 'worker exited; starting a replacement');
    cluster.fork();
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    });
  }
}
