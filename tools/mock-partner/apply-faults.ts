import { setTimeout as delay } from 'node:timers/promises';
import type { Middleware } from 'koa';
import type { MockPartnerContext } from './mock-module.js';

/** Injects the configured faults into every route except the /__ control routes. */
export function applyFaults({ faults, stats }: MockPartnerContext): Middleware {
  return async (ctx, next) => {
    if (ctx.path.startsWith('/__')) return next();
    if (faults.paths.length > 0 && !faults.paths.some((p) => ctx.path.startsWith(p))) return next();
    if (faults.remaining !== null) {
      if (faults.remaining <= 0) return next();
      faults.remaining -= 1;
    }
    if (faults.down) {
      stats.increment('faults.dropped');
      ctx.respond = false;
      ctx.req.socket.destroy();
      return;
    }
    if (faults.latencyMs > 0) {
      // Stop waiting when the client gives up, so a stopped mock does not hold timers.
      const gone = new AbortController();
      ctx.req.socket.once('close', () => gone.abort());
      await delay(faults.latencyMs, undefined, { signal: gone.signal }).catch(() => undefined);
      if (gone.signal.aborted) return;
    }
    if (faults.errorRate > 0 && Math.random() < faults.errorRate) {
      stats.increment('faults.errors');
      ctx.status = faults.errorStatus;
      ctx.body = { error: 'temporarily_unavailable', error_description: 'injected fault' };
      return;
    }
    return next();
  };
}
