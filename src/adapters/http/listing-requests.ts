import { listingCacheKey, normaliseListing, type NormalisedListing } from './product-listing.js';
import { CURSOR_PATTERN, MAX_CURSOR_LENGTH, ListProductsQuerySchema, type ListProductsQuery } from './schemas/product-schemas.js';
import { validate } from './validation.js';
import { BoundedMap } from '../../shared/bounded-map.js';

export interface ListingRequest extends NormalisedListing {
  readonly input: ListProductsQuery;
}

const MAX_REMEMBERED = 1_000;
const MAX_KEY_LENGTH = 512;
const CURSOR_PARAMETER = 'cursor=';

/**
 * Validates and normalises GET /api/products query strings. The listing part (everything but the
 * cursor) of the last thousand valid ones is remembered: a popular page is requested with the
 * same query string over and over, and every page of a listing shares its sort, order and filters,
 * so most requests cost no schema parse and no hashing; the cursor alone is checked, by the same
 * rule as the schema's. Invalid query strings are never remembered (they throw every time).
 */
export class ListingRequests {
  private readonly remembered = new BoundedMap<string, ListingRequest>(MAX_REMEMBERED);

  parse(querystring: string): ListingRequest {
    const split = splitCursor(querystring);
    if (split) {
      const listing = this.parseListing(split.rest);
      if (listing.input.cursor === undefined) {
        const { fingerprint, query } = listing;
        return {
          ...listing,
          input: { ...listing.input, cursor: split.cursor },
          cacheKey: listingCacheKey(fingerprint, query.limit, split.cursor),
        };
      }
    }
    // Anything else (no cursor, a cursor spelled with escapes or given twice, a malformed one): the schema decides.
    return this.parseListing(querystring);
  }

  private parseListing(querystring: string): ListingRequest {
    const known = this.remembered.get(querystring);
    if (known) return known;
    const input = validate(ListProductsQuerySchema, parseQuery(querystring), 'query');
    const request = { input, ...normaliseListing(input) };
    if (querystring.length <= MAX_KEY_LENGTH) {
      this.remembered.set(querystring, request);
    }
    return request;
  }
}

/** The first plainly spelled, well-formed cursor parameter and the query string without it, if there is one. */
function splitCursor(querystring: string): { cursor: string; rest: string } | undefined {
  if (!querystring.includes(CURSOR_PARAMETER)) return undefined;
  const parts = querystring.split('&');
  const at = parts.findIndex((part) => part.startsWith(CURSOR_PARAMETER));
  if (at === -1) return undefined;
  const cursor = parts[at].slice(CURSOR_PARAMETER.length);
  if (cursor.length > MAX_CURSOR_LENGTH || !CURSOR_PATTERN.test(cursor)) return undefined;
  parts.splice(at, 1);
  return { cursor, rest: parts.join('&') };
}

/** Koa's own query parsing (URLSearchParams; a repeated key gives an array), for a string Koa did not parse. */
function parseQuery(querystring: string): Record<string, string | string[]> {
  const params = new URLSearchParams(querystring);
  const query = Object.create(null) as Record<string, string | string[]>;
  for (const key of params.keys()) {
    if (key in query) continue;
    const values = params.getAll(key);
    query[key] = values.length <= 1 ? values[0] : values;
  }
  return query;
}
