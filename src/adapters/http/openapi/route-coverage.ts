import type { Router } from '@koa/router';
import type { RouteSpec } from './route-spec.js';

export interface RouteCoverage {
  /** "METHOD /path" served by a router but described by no spec. */
  readonly undocumented: readonly string[];
  /** "METHOD /path" described by a spec but served by no router. */
  readonly unserved: readonly string[];
}

/** Compares the routes the routers actually serve (their layer stacks) with the route specs. */
export function routeCoverage(routers: readonly Router[], specs: readonly RouteSpec[]): RouteCoverage {
  const served = new Set<string>();
  for (const router of routers) {
    for (const layer of router.stack) {
      // HEAD comes free with GET; middleware layers (router.use) carry no methods.
      for (const method of layer.methods.filter((m) => m !== 'HEAD')) served.add(`${method} ${String(layer.path)}`);
    }
  }
  const documented = new Set(specs.map((s) => `${s.method.toUpperCase()} ${s.path}`));
  return {
    undocumented: [...served].filter((r) => !documented.has(r)).sort(),
    unserved: [...documented].filter((r) => !served.has(r)).sort(),
  };
}
