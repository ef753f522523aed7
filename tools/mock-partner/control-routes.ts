import type { Router } from '@koa/router';
import { noFaults, type MockFaults } from './mock-faults.js';
import type { MockPartnerContext } from './mock-module.js';
import { readBody } from './read-body.js';

const NUMBER_FAULTS = {
  latencyMs: [0, 600_000],
  latencyJitterMs: [0, 600_000],
  errorRate: [0, 1],
  timeoutRate: [0, 1],
  rateLimitRate: [0, 1],
  retryAfterSeconds: [0, 86_400],
  errorStatus: [400, 599],
} as const;

/** GET /__stats, POST /__faults (merges a JSON object into the fault settings), POST /__reset. */
export function controlRoutes(router: Router, context: MockPartnerContext, resetHooks: (() => void)[]): void {
  router.get('/__stats', (ctx) => {
    ctx.body = context.stats.snapshot();
  });

  router.get('/__faults', (ctx) => {
    ctx.body = context.faults;
  });

  router.post('/__faults', async (ctx) => {
    let patch: unknown;
    try {
      patch = JSON.parse((await readBody(ctx)) || '{}');
    } catch {
      patch = null;
    }
    const problem = validateFaults(patch);
    if (problem) {
      ctx.status = 400;
      ctx.type = 'application/problem+json';
      ctx.body = { type: 'about:blank', title: 'Invalid faults', status: 400, detail: problem };
      return;
    }
    Object.assign(context.faults, patch);
    ctx.body = context.faults;
  });

  router.post('/__reset', (ctx) => {
    context.stats.clear();
    for (const key of Object.keys(context.faults)) delete context.faults[key];
    Object.assign(context.faults, noFaults());
    context.tokens.clear();
    context.state.clear();
    for (const hook of resetHooks) hook();
    ctx.status = 204;
  });
}

function validateFaults(patch: unknown): string | null {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return 'body must be a JSON object';
  const faults = patch as Partial<MockFaults>;
  for (const [key, [min, max]] of Object.entries(NUMBER_FAULTS)) {
    const value = faults[key];
    if (value !== undefined && (typeof value !== 'number' || value < min || value > max)) {
      return `${key} must be a number from ${min} to ${max}`;
    }
  }
  if (faults.down !== undefined && typeof faults.down !== 'boolean') return 'down must be true or false';
  if (faults.paths !== undefined && !(Array.isArray(faults.paths) && faults.paths.every((p) => typeof p === 'string'))) {
    return 'paths must be an array of path prefixes';
  }
  if (faults.remaining !== undefined && faults.remaining !== null && !(Number.isInteger(faults.remaining) && faults.remaining >= 0)) {
    return 'remaining must be a whole number or null';
  }
  return null;
}
