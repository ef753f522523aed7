import { normaliseListing, type NormalisedListing } from './product-listing.js';
import { ListProductsQuerySchema, type ListProductsQuery } from './schemas/product-schemas.js';
import { validate } from './validation.js';

export interface ListingRequest extends NormalisedListing {
  readonly input: ListProductsQuery;
}

const MAX_REMEMBERED = 1_000;
const MAX_KEY_LENGTH = 512;

/**
 * Validates and normalises GET /api/products query strings, remembering the last thousand valid
 * ones: a popular page is requested with the same query string over and over, and its answer is
 * the same every time, so a cache hit costs no schema parse and no hashing. Invalid ones are
 * never remembered (they throw every time).
 */
export class ListingRequests {
  private readonly remembered = new Map<string, ListingRequest>();

  parse(querystring: string, query: () => unknown): ListingRequest {
    const known = this.remembered.get(querystring);
    if (known) return known;
    const input = validate(ListProductsQuerySchema, query(), 'query');
    const request = { input, ...normaliseListing(input) };
    if (querystring.length <= MAX_KEY_LENGTH) {
      if (this.remembered.size >= MAX_REMEMBERED) this.remembered.clear();
      this.remembered.set(querystring, request);
    }
    return request;
  }
}
