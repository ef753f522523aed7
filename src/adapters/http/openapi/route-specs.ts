/*
 * Every route the service serves, as the OpenAPI document describes it.
 *
 * createHttpApp refuses to start when a router registers a route that has no RouteSpec here (and
 * when a spec names a route no router serves), so a route cannot ship undocumented.
 *
 * To add routes:
 *   1. Put the request schemas (zod 4) in src/adapters/http/schemas/ and validate with exactly those
 *      objects in the handler: validate(MyQuerySchema, ctx.query, 'query').
 *   2. Write the specs in src/adapters/http/openapi/specs/<area>-route-specs.ts, exporting
 *      `<area>RouteSpecs: readonly RouteSpec[]` (or a function of the settings it needs): method, the
 *      Koa path template exactly as registered ('/api/products/:id/availability'), operationId,
 *      summary, tags, request.{query,params,headers,body} (body with the limitBytes the route
 *      enforces), request.examples, and the route's own responses with schema and example. The
 *      edge's shared problems (400 and 414 from the request limits, 413/415 with a body, 429 and the
 *      RateLimit headers on /api/*, and a default problem+json) are added by the document builder;
 *      give a status yourself when the route answers it for reasons of its own (its description wins).
 *   3. Append the list to routeSpecs() below (one line).
 * test/http/openapi.test.ts then checks that your routes are documented, your examples validate and
 * every status it can provoke on your route is documented for it.
 */
import type { RouteSpec } from './route-spec.js';
import { availabilityRouteSpecs } from './specs/availability-route-specs.js';
import { docsRouteSpecs } from './specs/docs-route-specs.js';
import { healthRouteSpecs } from './specs/health-route-specs.js';
import { partnerWebhookRouteSpecs } from './specs/partner-webhook-route-specs.js';
import { productRouteSpecs } from './specs/product-route-specs.js';

export interface RouteSpecSettings {
  readonly webhookBodyLimitBytes: number;
  /** False when /metrics is not on this port (METRICS_ENABLED=false or METRICS_PORT); default true. */
  readonly metrics?: boolean;
  /** False when /docs and /openapi.json are off (DOCS_ENABLED=false); default true. */
  readonly docs?: boolean;
}

export function routeSpecs(settings: RouteSpecSettings): readonly RouteSpec[] {
  return [
    ...healthRouteSpecs.filter((spec) => settings.metrics !== false || spec.path !== '/metrics'),
    ...(settings.docs === false ? [] : docsRouteSpecs),
    ...productRouteSpecs,
    ...availabilityRouteSpecs,
    ...partnerWebhookRouteSpecs(settings.webhookBodyLimitBytes),
  ];
}
