import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import type { BuiltValue, CachedValue } from '../../application/read-through-cache.js';
import type { CatalogTag } from '../../domain/catalog-tags.js';
import { BoundedMap } from '../../shared/bounded-map.js';

const CACHE_CONTROL = 'public, max-age=5';
const MAX_ENCODED_BODIES = 1_000;

/**
 * UTF-8 bodies of recently served cache hits, by ETag (a hash of the body, so one ETag is one
 * body): a popular page is encoded once instead of on every request. Forgotten all at once when full.
 */
const encodedBodies = new BoundedMap<string, Buffer>(MAX_ENCODED_BODIES);

/** Cached values are "<etag>\n<json body>", so a hit costs no hashing and no serialising. */
export function withEtag(body: string, tags: readonly CatalogTag[]): BuiltValue {
  return { value: `"${createHash('sha1').update(body).digest('base64url')}"\n${body}`, tags };
}

/** Writes a cached JSON response, or 304 when the client already holds this exact representation. */
export function sendCached(ctx: Context, cached: CachedValue) {
  const newline = cached.value.indexOf('\n');
  const etag = cached.value.slice(0, newline);
  const { res } = ctx;
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', CACHE_CONTROL);
  res.setHeader('X-Cache', cached.status);
  if (matches(ctx.req.headers['if-none-match'], etag)) {
    ctx.status = 304;
    return;
  }
  // The header itself rather than ctx.type, which looks the media type up on every call.
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  ctx.body = cached.status === 'MISS' ? cached.value.slice(newline + 1) : encodedBody(etag, cached.value, newline + 1);
}

function encodedBody(etag: string, value: string, start: number): Buffer {
  let body = encodedBodies.get(etag);
  if (!body) {
    body = Buffer.from(value.slice(start));
    encodedBodies.set(etag, body);
  }
  return body;
}

function matches(ifNoneMatch: string | undefined, etag: string) {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => tag.trim() === etag);
}
