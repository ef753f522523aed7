import type { Context } from 'koa';
import { HttpProblem } from '../http-problem.js';

export interface RequestLimitOptions {
  /** Longest request target (path and query) accepted; longer gets 414. */
  readonly maxUrlLength: number;
  /** Most query parameters accepted; more gets 400. */
  readonly maxQueryParameters: number;
}

/** Cheap checks on the request line before any parsing or routing: throws the HttpProblem that refuses it. */
export function requestLimits({ maxUrlLength, maxQueryParameters }: RequestLimitOptions): (ctx: Context) => void {
  return (ctx) => {
    if (ctx.url.length > maxUrlLength) {
      throw new HttpProblem(414, 'URI too long', `The request target must be at most ${maxUrlLength} characters.`);
    }
    const query = ctx.querystring;
    if (query.length > 0 && countParameters(query) > maxQueryParameters) {
      throw new HttpProblem(400, 'Too many query parameters', `At most ${maxQueryParameters} query parameters are accepted.`);
    }
    // The server accepts a missing Host so this answer can be problem+json rather than Node's bare 400.
    if (ctx.req.httpVersion === '1.1' && ctx.req.headers.host === undefined) {
      throw new HttpProblem(400, 'Missing Host header', 'HTTP/1.1 requests must carry a Host header.');
    }
  };
}

function countParameters(query: string) {
  let count = 1;
  for (let i = query.indexOf('&'); i !== -1; i = query.indexOf('&', i + 1)) count += 1;
  return count;
}
