import type { Context } from 'koa';
import getRawBody from 'raw-body';

/** The request body as text (at most 1 MB); cached on ctx.state.rawBody so several readers agree. */
export async function readBody(ctx: Context): Promise<string> {
  if (typeof ctx.state.rawBody === 'string') return ctx.state.rawBody;
  const text = await getRawBody(ctx.req, { limit: '1mb', encoding: 'utf8' });
  ctx.state.rawBody = text;
  return text;
}
