import type { AccessToken, TokenProvider } from '../../domain/ports/token-provider.js';

/**
 * Sends a partner request with a bearer token. When the partner answers 401 `invalid_token`
 * (RFC 6750, from the WWW-Authenticate header or a JSON body), evicts exactly the token that was
 * used and sends once more with a fresh one. Any other answer, including a second 401, is returned
 * for the caller to map. `send` must build a new request each time (bodies cannot be replayed).
 */
export async function callWithToken(
  tokens: TokenProvider,
  send: (authorization: string, token: AccessToken) => Promise<Response>,
): Promise<Response> {
  const first = await tokens.getToken();
  const response = await send(`Bearer ${first.value}`, first);
  if (!(await isInvalidToken(response))) return response;
  await response.body?.cancel();
  await tokens.invalidate(first);
  const fresh = await tokens.getToken();
  return send(`Bearer ${fresh.value}`, fresh);
}

async function isInvalidToken(response: Response): Promise<boolean> {
  if (response.status !== 401) return false;
  const challenge = response.headers.get('www-authenticate') ?? '';
  if (/error\s*=\s*"?invalid_token"?/i.test(challenge)) return true;
  if (!/json/i.test(response.headers.get('content-type') ?? '')) return false;
  const body = (await response
    .clone()
    .json()
    .catch(() => null)) as { error?: unknown } | null;
  return body?.error === 'invalid_token';
}
