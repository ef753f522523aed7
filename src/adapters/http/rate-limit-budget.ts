export type RateLimitBudget = 'public' | 'webhook';

/**
 * Which budget a request path spends: webhooks have their own per sender, the rest of /api/* the
 * public one per client; health, metrics and docs spend none. The path is decoded and lower-cased
 * first, because the router matches case-insensitively and '/API/products' must not escape.
 */
export function rateLimitBudgetFor(rawPath: string): RateLimitBudget | undefined {
  // Most paths need no decoding: skip it on the hot path.
  const path = /[%A-Z]|\/\//.test(rawPath) ? canonical(rawPath) : rawPath;
  if (path.startsWith('/api/webhooks/') || path === '/api/webhooks') return 'webhook';
  if (path.startsWith('/api/') || path === '/api') return 'public';
  return undefined;
}

function canonical(path: string) {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape cannot match a route; the raw path still picks a budget.
  }
  return decoded.toLowerCase().replace(/\/{2,}/g, '/');
}
