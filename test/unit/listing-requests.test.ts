import { expect } from 'chai';
import { type HttpProblem } from '../../src/adapters/http/http-problem.js';
import { ListingRequests } from '../../src/adapters/http/listing-requests.js';
import { normaliseListing } from '../../src/adapters/http/product-listing.js';
import { ListProductsQuerySchema } from '../../src/adapters/http/schemas/product-schemas.js';
import { validate } from '../../src/adapters/http/validation.js';

const CURSOR = 'eyJmIjoiYWJjIiwidiI6MSwiaSI6Mn0.c2lnbmF0dXJl';

/** What the route did before remembering anything: Koa's parse, the schema, normalisation. */
function fromScratch(querystring: string) {
  const params = new URLSearchParams(querystring);
  const query = Object.fromEntries(
    [...new Set(params.keys())].map((k) => [k, params.getAll(k).length > 1 ? params.getAll(k) : params.get(k)]),
  );
  const input = validate(ListProductsQuerySchema, query, 'query');
  return { input, ...normaliseListing(input) };
}

function outcome(run: () => unknown) {
  try {
    return { ok: run() };
  } catch (error) {
    const { name, message, status, extras } = error as HttpProblem;
    return { problem: { name, message, status, errors: extras?.errors } };
  }
}

describe('ListingRequests', () => {
  const querystrings = [
    '',
    'sort=price',
    `cursor=${CURSOR}`,
    `sort=price&cursor=${CURSOR}`,
    `cursor=${CURSOR}&sort=price&order=desc`,
    `limit=5&cursor=${CURSOR}&category=milk,Dairy`,
    `cursor=${CURSOR}&cursor=${CURSOR}`,
    `cursor=${CURSOR}&curs%6Fr=${CURSOR}`,
    `curs%6Fr=${CURSOR}&sort=name`,
    `cursor=${CURSOR.replace('.', '%2E')}`,
    'cursor=',
    'cursor=not-a-cursor',
    `cursor=${'a'.repeat(600)}.${'b'.repeat(600)}`,
    `cursor=${CURSOR}&sort=sideways`,
    `cursor=${CURSOR}&unknown=1`,
    `cursor=${CURSOR}&limit=101`,
    'q=fresh+milk&sort=name',
  ];

  for (const querystring of querystrings) {
    it(`parse, given "${querystring.slice(0, 60)}", answers exactly as a fresh schema parse does, the first time and when remembered`, () => {
      const listings = new ListingRequests();
      const expected = outcome(() => fromScratch(querystring));
      expect(expected).to.satisfy(
        (o: { ok?: unknown; problem?: { message: string } }) => o.ok !== undefined || o.problem!.message.length > 0,
      );
      expect(outcome(() => listings.parse(querystring))).to.deep.equal(expected);
      expect(outcome(() => listings.parse(querystring))).to.deep.equal(expected);
    });
  }

  it('parse, given pages of one listing, keys each page by its cursor under the listing fingerprint', () => {
    const listings = new ListingRequests();
    const first = listings.parse('sort=price&limit=5');
    const next = listings.parse(`sort=price&limit=5&cursor=${CURSOR}`);
    expect(next.fingerprint).to.equal(first.fingerprint);
    expect(next.cacheKey).to.not.equal(first.cacheKey);
    expect(next.cacheKey).to.equal(fromScratch(`limit=5&cursor=${CURSOR}&sort=price`).cacheKey);
  });
});
