import Koa from 'koa';
import { Router } from '@koa/router';
import type { Logger } from 'pino';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { HttpMetrics } from './http-metrics.js';
import type { CorsOptions } from './middleware/cors.js';
import { edge as edgeMiddleware } from './middleware/edge.js';
import { requestContext } from './middleware/request-context.js';
import type { RequestLimitOptions } from './middleware/request-limits.js';
import { routeCoverage } from './openapi/route-coverage.js';
import type { RouteSpec } from './openapi/route-spec.js';
import type { RateLimitBudget } from './rate-limit-budget.js';

export interface HttpAppDeps {
  readonly logger: Logger;
  readonly metrics: HttpMetrics;
  readonly routers: readonly Router[];
  /** The public edge; every part left out is off or closed, so callers that omit it keep working. */
  readonly edge?: HttpEdgeOptions;
}

export interface HttpEdgeOptions {
  /** Trust X-Forwarded-For: false (default), true (every hop), or the number of proxies in front. */
  readonly trustProxy?: boolean | number;
  /** Default: closed (no origin allowed). */
  readonly cors?: CorsOptions;
  /** Default 0: no Strict-Transport-Security. */
  readonly hstsMaxAgeSeconds?: number;
  readonly requestLimits?: RequestLimitOptions;
  /** Limiters per budget (see rateLimitBudgetFor); none: no rate limiting. */
  readonly rateLimiters?: Partial<Record<RateLimitBudget, RateLimiterAbstract>>;
  /** A request still running after this many ms is cancelled (its signal aborts); default: none. */
  readonly requestDeadlineMs?: number;
  /** When given, the app refuses to start unless every served route has a spec and every spec a route. */
  readonly routeSpecs?: readonly RouteSpec[];
}

const DEFAULT_REQUEST_LIMITS: RequestLimitOptions = { maxUrlLength: 4096, maxQueryParameters: 32 };

/** The Koa application, not listening: the bootstrap listens, tests drive app.callback(). */
export function createHttpApp({ logger, metrics, routers, edge = {} }: HttpAppDeps): Koa {
  if (edge.routeSpecs) assertDocumented(routers, edge.routeSpecs);
  const trustProxy = edge.trustProxy ?? false;
  // With a hop count, only that many right-most X-Forwarded-For entries (the ones our proxies
  // appended) are believed; anything the client put before them is ignored.
  const app = new Koa({ proxy: trustProxy !== false && trustProxy !== 0, maxIpsCount: typeof trustProxy === 'number' ? trustProxy : 0 });
  app.silent = true;
  const root = new Router();
  app.use(
    requestContext(logger, metrics, { deadlineMs: edge.requestDeadlineMs, routeOf: (method, path) => routeTemplate(root, method, path) }),
  );
  const limited = edge.rateLimiters && Object.keys(edge.rateLimiters).length > 0;
  app.use(
    edgeMiddleware({
      securityHeaders: { hstsMaxAgeSeconds: edge.hstsMaxAgeSeconds ?? 0 },
      cors: edge.cors ?? { origins: [] },
      requestLimits: edge.requestLimits ?? DEFAULT_REQUEST_LIMITS,
      rateLimit: limited ? { limiters: edge.rateLimiters, logger, metrics } : undefined,
    }),
  );
  for (const router of routers) root.use(router.routes());
  app.use(root.routes());
  app.use(root.allowedMethods());
  return app;
}

/** The template of the route `method path` matches, for labelling requests refused before routing. */
function routeTemplate(root: Router, method: string, path: string): string | undefined {
  const layers = root.match(path, method).pathAndMethod.filter((layer) => layer.methods.length > 0);
  const template = layers[layers.length - 1]?.path;
  return typeof template === 'string' ? template : undefined;
}

function assertDocumented(routers: readonly Router[], specs: readonly RouteSpec[]) {
  const { undocumented, unserved } = routeCoverage(routers, specs);
  const problems = [
    ...undocumented.map((r) => `${r} is served but has no RouteSpec (add one: src/adapters/http/openapi/route-specs.ts)`),
    ...unserved.map((r) => `${r} has a RouteSpec but no router serves it`),
  ];
  if (problems.length > 0) throw new Error(`The OpenAPI document does not match the routes:\n  ${problems.join('\n  ')}`);
}
