/** What to do after a failed attempt: wait `delayMs` and try again, or stop and throw `error`. */
export type RetryDecision = { readonly retry: true; readonly delayMs: number } | { readonly retry: false; readonly error: unknown };

/**
 * The one retry loop of the partner clients (token endpoint and catalogue): runs `attempt` until it
 * succeeds or `decide` stops it, waiting the decided delay in between. The caller decides
 * everything else (backoff, Retry-After, budgets, deadlines), so this stays a loop and not a
 * policy. Waits end early, rejecting with the signal's reason, when `signal` aborts.
 */
export async function retryLoop<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  decide: (error: unknown, retriesDone: number) => RetryDecision,
  signal?: AbortSignal,
): Promise<T> {
  for (let retriesDone = 0; ; retriesDone += 1) {
    try {
      return await attempt(retriesDone + 1);
    } catch (error) {
      const decision = decide(error, retriesDone);
      if (!decision.retry) throw decision.error;
      await sleep(decision.delayMs, signal);
    }
  }
}

/** Full jitter (AWS architecture blog): retry n waits a random time in [0, min(cap, base * 2^n)). */
export function fullJitterBackoff(retriesDone: number, baseMs: number, capMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** retriesDone));
}

// On the global setTimeout rather than node:timers/promises: sinon's ESM build fakes the former
// only, and the tests drive these waits on a fake clock.
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  signal?.throwIfAborted();
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as unknown);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
