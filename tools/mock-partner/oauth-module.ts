import { randomBytes } from 'node:crypto';
import type { Context } from 'koa';
import { DEV_CLIENT } from './dev-credentials.js';
import type { MockModule, MockPartnerContext } from './mock-module.js';
import { readBody } from './read-body.js';
import { requireBearerToken, type BearerState } from './require-bearer-token.js';

const DEFAULT_LIFETIME_SECONDS = 3600;

/**
 * OAuth2 client credentials (RFC 6749 section 4.4): POST /oauth/token, GET /oauth/whoami (a
 * protected resource for checking tokens), POST /__oauth/revoke (revokes every issued token, or
 * `{"token": "..."}`). Faults it reads: tokenLifetimeSeconds, omitExpiresIn, tokenType.
 * Counters: oauth.tokenRequests, oauth.tokensIssued, oauth.errors.<code>, oauth.whoami.
 */
export const oauthModule: MockModule = (router, context) => {
  router.post('/oauth/token', async (ctx) => {
    context.stats.increment('oauth.tokenRequests');
    ctx.set('Cache-Control', 'no-store');
    await issueToken(ctx, context);
  });

  router.get('/oauth/whoami', requireBearerToken(context), (ctx) => {
    context.stats.increment('oauth.whoami');
    // requireBearerToken, just before, set these (Koa types ctx.state as `any`).
    const { client, scope } = ctx.state as BearerState;
    ctx.body = { client_id: client, scope };
  });

  router.post('/__oauth/revoke', async (ctx) => {
    let token: unknown;
    try {
      const body = (await readBody(ctx)).trim();
      token = body ? (JSON.parse(body) as { token?: unknown }).token : undefined;
    } catch {
      token = null;
    }
    if (token !== undefined && typeof token !== 'string') {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: 'send {"token": "..."} or no body' };
      return;
    }
    if (token) context.tokens.delete(token);
    else context.tokens.clear();
    ctx.status = 204;
  });
};

async function issueToken(ctx: Context, context: MockPartnerContext) {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    return fail(ctx, context, 400, 'invalid_request', 'the body must be application/x-www-form-urlencoded');
  }
  const form = new URLSearchParams(await readBody(ctx));
  const credentials = clientCredentials(ctx.get('authorization'), form);
  if (credentials === 'both') {
    return fail(ctx, context, 400, 'invalid_request', 'use one client authentication method, not two');
  }
  const client = (context.options.clients ?? [DEV_CLIENT]).find((c) => c.id === credentials?.id);
  if (!credentials || !client || client.secret !== credentials.secret) {
    ctx.set('WWW-Authenticate', 'Basic realm="mock-partner"');
    return fail(ctx, context, 401, 'invalid_client', 'client authentication failed');
  }
  if (form.get('grant_type') !== 'client_credentials') {
    return fail(ctx, context, 400, 'unsupported_grant_type', 'only client_credentials is supported');
  }
  const allowed = client.scopes ?? [];
  const requested = (form.get('scope') ?? '').split(' ').filter(Boolean);
  if (requested.some((s) => !allowed.includes(s))) {
    return fail(ctx, context, 400, 'invalid_scope', `allowed scopes: ${allowed.join(' ')}`);
  }
  const { faults } = context;
  const lifetime = Number(faults.tokenLifetimeSeconds ?? context.options.tokenLifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS);
  const token = randomBytes(24).toString('base64url');
  const scope = (requested.length > 0 ? requested : allowed).join(' ');
  context.tokens.set(token, { clientId: client.id, scope, expiresAt: Date.now() + lifetime * 1000 });
  context.stats.increment('oauth.tokensIssued');
  ctx.body = {
    access_token: token,
    token_type: typeof faults.tokenType === 'string' ? faults.tokenType : 'Bearer',
    ...(faults.omitExpiresIn ? {} : { expires_in: lifetime }),
    scope,
  };
}

function clientCredentials(authorization: string, form: URLSearchParams) {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization);
  const inBody = form.has('client_id');
  if (basic && inBody) return 'both';
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    // RFC 6749 section 2.3.1: both parts are form-urlencoded before joining.
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
  }
  if (inBody) return { id: form.get('client_id') ?? '', secret: form.get('client_secret') ?? '' };
  return null;
}

function fail(ctx: Context, context: MockPartnerContext, status: number, error: string, description: string) {
  context.stats.increment(`oauth.errors.${error}`);
  ctx.status = status;
  ctx.body = { error, error_description: description };
}
