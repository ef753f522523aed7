import type { Middleware } from 'koa';

export interface SecurityHeaderOptions {
  /** Strict-Transport-Security max-age, sent on HTTPS requests only; 0 sends none. */
  readonly hstsMaxAgeSeconds: number;
}

// A JSON API loads nothing and is framed by no one; /docs replaces the CSP with its own.
const JSON_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/**
 * Headers that only mean something on a document a browser renders (the /docs page): a JSON
 * response neither navigates nor opens windows, so the API does not send them (OWASP REST
 * Security Cheat Sheet, "Security Headers").
 */
export const DOCUMENT_HEADERS: Readonly<Record<string, string>> = {
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** Headers for a JSON API, set before the handler runs so errors and 429s carry them too. */
export function securityHeaders({ hstsMaxAgeSeconds }: SecurityHeaderOptions): Middleware {
  const headers = Object.entries({
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': JSON_CONTENT_SECURITY_POLICY,
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
  const hsts = hstsMaxAgeSeconds > 0 ? `max-age=${hstsMaxAgeSeconds}` : undefined;
  return async (ctx, next) => {
    for (const [name, value] of headers) ctx.res.setHeader(name, value);
    // Only over HTTPS (RFC 6797 section 7.2); behind a TLS proxy, TRUST_PROXY lets ctx.secure read X-Forwarded-Proto.
    if (hsts && ctx.secure) ctx.res.setHeader('Strict-Transport-Security', hsts);
    await next();
  };
}
