import { requestScope } from './request-scope.js';

/**
 * `X-Request-Id` of the request being served, for outgoing partner calls, so the partner's logs and
 * ours can be joined; nothing outside a request (CLIs, background refreshes).
 */
export function requestIdHeader(): Record<string, string> {
  const scope = requestScope.current();
  return scope ? { 'x-request-id': scope.requestId } : {};
}
