import cluster from 'node:cluster';

/** Runs `serve` in `workers` processes sharing one port, as the service does with WORKERS. */
export async function inCluster(workers: number, serve: () => Promise<void>): Promise<void> {
  if (cluster.isPrimary && workers > 1) {
    for (let i = 0; i < workers; i += 1) cluster.fork();
    process.once('SIGTERM', () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
      process.exit(0);
    });
    return;
  }
  await serve();
  process.once('SIGTERM', () => process.exit(0));
}
