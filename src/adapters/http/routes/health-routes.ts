import { Router } from '@koa/router';
import type { CheckReadiness } from '../../../application/check-readiness.js';
import { HttpProblem } from '../http-problem.js';
import { requestStateOf } from '../middleware/request-context.js';

export interface HealthRouteDeps {
  readonly checkReadiness: CheckReadiness;
  readonly isShuttingDown: () => boolean;
}

/** The probes: /livez and /readyz (/metrics is metricsRoutes). */
export function healthRoutes({ checkReadiness, isShuttingDown }: HealthRouteDeps): Router {
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
        requestStateOf(ctx)?.logger.warn({ dependency: d.name, error: d.error }, 'readiness check failed');
      }
      throw new HttpProblem(503, 'Not ready', 'A dependency is not answering.', {
        headers: { 'Retry-After': '5' },
        dependencies,
      });
    }
    ctx.body = { status: 'ready', dependencies };
  });

  return router;
}
