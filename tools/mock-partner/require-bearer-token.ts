import type { Middleware } from 'koa';
import type { MockPartnerContext } from './mock-module.js';

/** What requireBearerToken puts in ctx.state for the routes behind it. */
export interface BearerState {
  client: string;
  scope: string;
}

/**
 * Guards a route with an access token the mock issued (RFC 6750): 401 without a token, 401
 * `invalid_token` for an unknown, revoked or expired one. Sets ctx.state.client and ctx.state.scope.
 */
export function requireBearerToken(context: MockPartnerContext, requiredScope?: string): Middleware {
  return async (ctx, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'));
    if (!match) {
      context.stats.increment('auth.missingToken');
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer realm="mock-partner"');
      ctx.body = { error: 'invalid_request', error_description: 'a bearer token is required' };
      return;
    }
    const issued = context.tokens.get(match[1]);
    if (!issued || issued.expiresAt <= Date.now()) {
      context.stats.increment('auth.invalidToken');
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer realm="mock-partner", error="invalid_token"');
      ctx.body = { error: 'invalid_token', error_description: 'the access token is unknown, revoked or expired' };
      return;
    }
    if (requiredScope && !issued.scope.split(' ').includes(requiredScope)) {
      context.stats.increment('auth.insufficientScope');
      ctx.status = 403;
      ctx.set('WWW-Authenticate', `Bearer realm="mock-partner", error="insufficient_scope", scope="${requiredScope}"`);
      ctx.body = { error: 'insufficient_scope' };
      return;
    }
    ctx.state.client = issued.clientId;
    ctx.state.scope = issued.scope;
    await next();
  };
}
