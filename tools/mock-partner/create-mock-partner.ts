/**
 * The bundled mock partner: one Koa app assembled from modules (tools/mock-partner/*-module.ts).
 *
 * Adding a module: write `tools/mock-partner/<name>-module.ts` exporting a `MockModule`
 * (`(router, context) => void`: register routes, count with `context.stats.increment('name')`,
 * consult `context.faults`, protect routes with `requireBearerToken(context)`, keep state in
 * `context.state` or reset it with `context.onReset`), then add one line to the list in
 * mock-partner-modules.ts. GET /__stats, POST /__faults and POST /__reset cover every module.
 */
import Koa from 'koa';
import { Router } from '@koa/router';
import { applyFaults } from './apply-faults.js';
import { controlRoutes } from './control-routes.js';
import { noFaults } from './mock-faults.js';
import type { MockModule, MockPartnerContext, MockPartnerOptions } from './mock-module.js';
import { MOCK_PARTNER_MODULES } from './mock-partner-modules.js';
import { MockStats } from './mock-stats.js';

export interface MockPartnerApp {
  readonly app: Koa;
  readonly context: MockPartnerContext;
}

export function createMockPartner(options: MockPartnerOptions = {}, modules: readonly MockModule[] = MOCK_PARTNER_MODULES): MockPartnerApp {
  const resetHooks: (() => void)[] = [];
  const context: MockPartnerContext = {
    options,
    stats: new MockStats(),
    faults: noFaults(),
    tokens: new Map(),
    state: new Map(),
    onReset: (hook) => {
      resetHooks.push(hook);
    },
  };
  const router = new Router();
  controlRoutes(router, context, resetHooks);
  for (const register of modules) register(router, context);

  const app = new Koa();
  app.silent = true;
  app.use(applyFaults(context));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return { app, context };
}
