import { Router } from '@koa/router';
import { HttpProblem } from '../http-problem.js';

/** The Prometheus exposition /metrics answers with. */
export interface MetricsSnapshot {
  readonly contentType: string;
  readonly body: string;
}

export interface MetricsRouteDeps {
  /**
   * What /metrics serves. Null when not every process of the instance reported in time: a partial
   * sum would read as counter resets, so the route answers 503 instead.
   */
  readonly readMetrics: () => Promise<MetricsSnapshot | null>;
}

/** GET /metrics: on the service's port, or on a port of its own (METRICS_PORT), or not at all. */
export function metricsRoutes({ readMetrics }: MetricsRouteDeps): Router {
  const router = new Router();

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
