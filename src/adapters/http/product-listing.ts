import { createHash } from 'node:crypto';
import { InvalidQueryError } from '../../domain/errors/invalid-query-error.js';
import type { ProductQuery } from '../../domain/product-query.js';
import { searchTerms } from '../../domain/search-terms.js';
import { MAX_SEARCH_WORDS, type ListProductsQuery } from './schemas/product-schemas.js';

export interface NormalisedListing {
  readonly query: ProductQuery;
  /** Identifies sort, order and filters (not limit or cursor); cursors are bound to it. */
  readonly fingerprint: string;
  /** Equal for every spelling of the same request: the cache key. */
  readonly cacheKey: string;
}

/** Collapses parameter order, defaults, case and equivalent spellings into one canonical query. */
export function normaliseListing(input: ListProductsQuery): NormalisedListing {
  const words = input.q === undefined ? [] : [...new Set(searchTerms(input.q))].sort();
  if (input.q !== undefined && words.length === 0) {
    throw new InvalidQueryError([{ field: 'q', message: 'must contain at least one letter or digit' }]);
  }
  if (words.length > MAX_SEARCH_WORDS) {
    throw new InvalidQueryError([{ field: 'q', message: `must have at most ${MAX_SEARCH_WORDS} words` }]);
  }
  const categories = input.category ? [...new Set<string>(input.category.toLowerCase().split(','))].sort() : [];
  const query: ProductQuery = {
    limit: input.limit ?? 20,
    sort: input.sort ?? 'createdAt',
    order: input.order ?? (input.sort ? 'asc' : 'desc'),
    categories,
    minPricePaise: input.minPrice,
    maxPricePaise: input.maxPrice,
    words,
  };
  const filters = [query.sort, query.order, categories.join(','), query.minPricePaise ?? '', query.maxPricePaise ?? '', words.join(' ')];
  const fingerprint = createHash('sha256').update(JSON.stringify(filters)).digest('base64url').slice(0, 16);
  return { query, fingerprint, cacheKey: listingCacheKey(fingerprint, query.limit, input.cursor) };
}

/** The cache key of one page: the listing's fingerprint, the page size and the cursor. */
export function listingCacheKey(fingerprint: string, limit: number, cursor: string | undefined): string {
  return `list:${fingerprint}:${limit}:${cursor ?? ''}`;
}
