import type { Context } from 'koa';

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

/** Sets the headers of a JSON API; the edge calls it before anything else, so errors and 429s carry them too. */
export function securityHeaders({ hstsMaxAgeSeconds }: SecurityHeaderOptions): (ctx: Context) => void {
  const hsts = hstsMaxAgeSeconds > 0 ? `max-age=${hstsMaxAgeSeconds}` : undefined;
  return (ctx) => {
    const { res } = ctx;
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', JSON_CONTENT_SECURITY_POLICY);
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    // Only over HTTPS (RFC 6797 section 7.2); behind a TLS proxy, TRUST_PROXY lets ctx.secure read X-Forwarded-Proto.
    if (hsts && ctx.secure) res.setHeader('Strict-Transport-Security', hsts);
  };
}
