import type { Context, Middleware } from 'koa';
import getRawBody from 'raw-body';
import { HttpProblem } from '../http-problem.js';

export interface RawBodyOptions {
  readonly limitBytes: number;
}

/**
 * Reads the body as bytes into ctx.state.rawBody without interpreting them, for routes that must
 * authenticate the exact bytes before parsing anything. At most `limitBytes` are read: a larger
 * declared length is refused unread, a longer chunked body when it passes the limit; either way
 * 413, and the connection closes instead of draining the rest. 400 when unreadable.
 */
export function rawBody({ limitBytes }: RawBodyOptions): Middleware {
  return async (ctx, next) => {
    const declared = Number(ctx.get('content-length') || 0);
    if (declared > limitBytes) throw tooLarge(ctx, limitBytes);
    try {
      ctx.state.rawBody = await getRawBody(ctx.req, { limit: limitBytes });
    } catch (error) {
      if ((error as { type?: string }).type === 'entity.too.large') throw tooLarge(ctx, limitBytes);
      throw new HttpProblem(400, 'Invalid request body', 'The request body could not be read.');
    }
    await next();
  };
}

function tooLarge(ctx: Context, limitBytes: number) {
  ctx.set('Connection', 'close');
  return new HttpProblem(413, 'Payload too large', `The body must be at most ${limitBytes} bytes.`);
}
