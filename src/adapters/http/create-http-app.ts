import Koa from 'koa';
import { Router } from '@koa/router';
import type { Logger } from 'pino';
import type { HttpMetrics } from './http-metrics.js';
import { problemHandler } from './middleware/problem-handler.js';
import { requestContext } from './middleware/request-context.js';

export interface HttpAppDeps {
  readonly logger: Logger;
  readonly metrics: HttpMetrics;
  readonly routers: readonly Router[];
}

/** The Koa application, not listening: the bootstrap listens, tests drive app.callback(). */
export function createHttpApp({ logger, metrics, routers }: HttpAppDeps): Koa {
  const app = new Koa({ proxy: false });
  app.silent = true;
  app.use(requestContext(logger, metrics));
  app.use(problemHandler());
  const root = new Router();
  for (const router of routers) root.use(router.routes());
  app.use(root.routes());
  app.use(root.allowedMethods());
  return app;
}
