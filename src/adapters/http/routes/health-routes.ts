import { Router } from '@koa/router';
import type { CheckReadiness } from '../../../application/check-readiness.js';
import { HttpProblem } from '../http-problem.js';

/** The Prometheus exposition /metrics answers with. */
export interface MetricsSnapshot {
  readonly contentType: string;
  readonly body: string;
}

export interface HealthRouteDeps {
  readonly checkReadiness: CheckReadiness;
  /**
   * What /metrics serves. Null when not every process of the instance reported in time: a partial
   * sum would read as counter resets, so the route answers 503 instead.
   */
  readonly readMetrics: () => Promise<MetricsSnapshot | null>;
  readonly isShuttingDown: () => boolean;
}

export function healthRoutes({ checkReadiness, readMetrics, isShuttingDown }: HealthRouteDeps): Router {
  const router = new Router();

  router.get('/livez', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', async (ctx) => {
    if (isShuttingDown()) {
      throw new HttpProblem(503, 'Shutting down', 'This instance is draining and takes no new work.', {
        headers: { 'Retry-After': '1' },
      });
    }
    const readiness = await checkReadiness.execute();
    const dependencies = Object.fromEntries(
      readiness.dependencies.map((d) => [d.name, { status: d.ok ? 'up' : 'down', latencyMs: d.latencyMs }]),
    );
    if (!readiness.ready) {
      for (const d of readiness.dependencies.filter((x) => !x.ok)) {
        ctx.state.logger.warn({ dependency: d.name, error: d.error }, 'readiness check failed');
      }
      throw new HttpProblem(503, 'Not ready', 'A dependency is not answering.', {
        headers: { 'Retry-After': '5' },
        dependencies,
      });
    }
    ctx.body = { status: 'ready', dependencies };
  });

  router.get('/metrics', async (ctx) => {
    const snapshot = await readMetrics();
    if (!snapshot) {
      throw new HttpProblem(503, 'Metrics incomplete', 'Not every worker process reported its metrics in time.', {
        headers: { 'Retry-After': '1' },
      });
    }
    ctx.type = snapshot.contentType;
    ctx.body = snapshot.body;
  });

  return router;
}
