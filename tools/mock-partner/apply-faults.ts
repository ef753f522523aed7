import { setTimeout as delay } from 'node:timers/promises';
import type { Socket } from 'node:net';
import type { Middleware } from 'koa';
import type { MockPartnerContext } from './mock-module.js';

/** Injects the configured faults into every route except the /__ control routes. */
export function applyFaults({ faults, stats }: MockPartnerContext): Middleware {
  return async (ctx, next) => {
    if (ctx.path.startsWith('/__')) {
      await next();
      return;
    }
    if (faults.paths.length > 0 && !faults.paths.some((p) => ctx.path.startsWith(p))) {
      await next();
      return;
    }
    if (faults.remaining !== null) {
      if (faults.remaining <= 0) {
        await next();
        return;
      }
      faults.remaining -= 1;
    }
    if (faults.down) {
      stats.increment('faults.dropped');
      ctx.respond = false;
      ctx.req.socket.destroy();
      return;
    }
    const latencyMs = faults.latencyMs + Math.random() * faults.latencyJitterMs;
    if (latencyMs > 0) {
      // Stop waiting when the client gives up, so a stopped mock does not hold timers.
      // The listener goes once the wait ends: a kept-alive socket carries many requests.
      const gone = new AbortController();
      const abort = () => gone.abort();
      ctx.req.socket.once('close', abort);
      await delay(latencyMs, undefined, { signal: gone.signal }).catch(() => undefined);
      ctx.req.socket.off('close', abort);
      if (gone.signal.aborted) return;
    }
    const roll = Math.random();
    if (roll < faults.timeoutRate) {
      stats.increment('faults.timeouts');
      ctx.respond = false;
      await neverAnswer(ctx.req.socket);
      return;
    }
    if (roll < faults.timeoutRate + faults.rateLimitRate) {
      stats.increment('faults.rateLimited');
      ctx.status = 429;
      ctx.set('Retry-After', String(faults.retryAfterSeconds));
      ctx.body = { error: 'rate_limited', error_description: 'injected fault' };
      return;
    }
    if (roll < faults.timeoutRate + faults.rateLimitRate + faults.errorRate) {
      stats.increment('faults.errors');
      ctx.status = faults.errorStatus;
      ctx.body = { error: 'temporarily_unavailable', error_description: 'injected fault' };
      return;
    }
    await next();
  };
}

const HOLD_MS = 60_000;

/** Holds the request until the client gives up (or a minute passes), then drops the connection. */
async function neverAnswer(socket: Socket) {
  const gone = new AbortController();
  socket.once('close', () => gone.abort());
  await delay(HOLD_MS, undefined, { signal: gone.signal }).catch(() => undefined);
  socket.destroy();
}
