import type { Middleware } from 'koa';
import getRawBody from 'raw-body';
import { HttpProblem } from '../http-problem.js';

export interface JsonBodyOptions {
  readonly limitBytes: number;
}

/**
 * Reads a JSON body into ctx.state.rawBody (the exact bytes, for signatures) and ctx.request.body.
 * 415 for another media type, 413 over the limit, 400 for bytes that are not JSON.
 */
export function jsonBody({ limitBytes }: JsonBodyOptions): Middleware {
  return async (ctx, next) => {
    if (!ctx.is('application/json')) {
      throw new HttpProblem(415, 'Unsupported media type', 'The body must be application/json.');
    }
    const declared = Number(ctx.get('content-length') || 0);
    if (declared > limitBytes) throw tooLarge(limitBytes);
    let raw: Buffer;
    try {
      raw = await getRawBody(ctx.req, { limit: limitBytes });
    } catch (error) {
      if ((error as { type?: string }).type === 'entity.too.large') throw tooLarge(limitBytes);
      throw new HttpProblem(400, 'Invalid request body', 'The request body could not be read.');
    }
    ctx.state.rawBody = raw;
    try {
      (ctx.request as { body?: unknown }).body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new HttpProblem(400, 'Malformed JSON', 'The request body is not valid JSON.');
    }
    await next();
  };
}

function tooLarge(limitBytes: number) {
  return new HttpProblem(413, 'Payload too large', `The body must be at most ${limitBytes} bytes.`);
}
