import type { Knex } from 'knex';
import type { SortField, SortOrder } from '../src/domain/product-query.js';
import { searchTerms } from '../src/domain/search-terms.js';
import { CATEGORY_SLUGS } from '../src/infrastructure/seed/catalog-generator.js';

/**
 * One hostile or unlucky listing request. `deep`: it starts from a cursor halfway through its sort
 * order (the bench signs one at the catalogue's middle sort value); otherwise from the first page.
 */
export interface AdversarialQuery {
  readonly label: string;
  readonly limit: number;
  readonly sort: SortField;
  readonly order: SortOrder;
  readonly q?: string;
  readonly categories?: readonly string[];
  readonly minPrice?: string;
  readonly maxPrice?: string;
  readonly deep?: boolean;
}

export interface CorpusOptions {
  /** Products sampled (lowest ids first) to find common words and words that never meet. */
  readonly sample?: number;
}

const SORTS: SortField[] = ['createdAt', 'price', 'name'];
const LIMIT = 100;
const MAX_CATEGORIES = 20;
const COMMON_WORDS = 40;
const PAIRS = 12;
const MIDDLING = [0.002, 0.05] as const;

interface SampledProduct {
  readonly id: number;
  readonly terms: readonly string[];
}

/**
 * The adversarial search corpus of issue 14, generated from the seeded catalogue: pairs and triples
 * of the most common words (and their shortest prefixes) that never meet in a product, one- and
 * two-letter prefixes, words of middling frequency under every non-default sort, the most
 * categories a request may name, the widest and empty price ranges, deep cursors, limit=100.
 * Deterministic for a given catalogue. Shared by the bound test and `npm run bench`.
 */
export async function adversarialCorpus(knex: Knex, options: CorpusOptions = {}): Promise<AdversarialQuery[]> {
  const products = await sample(knex, options.sample ?? 20_000);
  const frequency = countPrefixes(products);
  const share = (prefix: string) => (frequency.get(prefix) ?? 0) / products.length;
  const common = [...frequency.entries()]
    .filter(([prefix]) => prefix.length > 2 && products.some((p) => p.terms.includes(prefix)))
    .sort((a, b) => b[1] - a[1])
    .slice(0, COMMON_WORDS)
    .map(([word]) => word);
  const meet = (words: readonly string[]) => products.some((p) => words.every((w) => p.terms.some((t) => t.startsWith(w))));

  const middlingWords = [...frequency.entries()]
    .filter(
      ([p, n]) =>
        p.length > 2 &&
        n / products.length >= MIDDLING[0] &&
        n / products.length <= MIDDLING[1] &&
        products.some((x) => x.terms.includes(p)),
    )
    .sort((a, b) => b[1] - a[1])
    .map(([p]) => p);
  const pairs = [...neverMeeting(common, PAIRS, meet), ...neverMeeting(middlingWords, PAIRS / 3, meet)];
  const shortest = pairs.map((pair) =>
    pair.map((word, k) =>
      shortestPrefix(
        word,
        pair.filter((_, m) => m !== k),
        meet,
        share,
      ),
    ),
  );
  const everywhere = common.filter((w) => share(w) > 0.8);
  const triples = pairs.slice(0, 6).map((pair) => [...pair, everywhere.find((w) => !pair.includes(w)) ?? common[0]]);
  const short = [...frequency.entries()]
    .filter(([p]) => p.length <= 2)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([p]) => p);
  // Spread over the middling range, most to least frequent.
  const middling = Array.from({ length: 6 }, (_, i) => middlingWords[Math.floor((i * middlingWords.length) / 6)]).filter(
    (w) => w !== undefined,
  );

  const searches: { label: string; q: string }[] = [
    ...pairs.map((w) => ({ label: 'common words that never meet', q: w.join(' ') })),
    ...shortest.map((w) => ({ label: 'shortest prefixes that never meet', q: w.join(' ') })),
    ...triples.map((w) => ({ label: 'never-meeting pair and an everywhere word', q: w.join(' ') })),
    { label: 'every short prefix', q: short.join(' ') },
    ...short.map((p) => ({ label: 'one- or two-letter prefix', q: p })),
    ...middling.map((w) => ({ label: 'middling word', q: w })),
  ];

  const categories = [...CATEGORY_SLUGS, ...Array.from({ length: MAX_CATEGORIES }, (_, i) => `no-such-${i + 1}`)].slice(0, MAX_CATEGORIES);
  const queries: AdversarialQuery[] = [];
  searches.forEach(({ label, q }, i) => {
    for (const sort of SORTS) {
      const order: SortOrder = (i + SORTS.indexOf(sort)) % 2 === 0 ? 'asc' : 'desc';
      queries.push({ label, limit: LIMIT, sort, order, q });
    }
    const sort = SORTS[i % SORTS.length];
    queries.push({ label: `${label}, every category`, limit: LIMIT, sort, order: 'desc', q, categories });
    queries.push({
      label: `${label}, widest price range`,
      limit: LIMIT,
      sort,
      order: 'asc',
      q,
      minPrice: '0.00',
      maxPrice: '999999999.99',
    });
    queries.push({ label: `${label}, deep cursor`, limit: LIMIT, sort, order: 'asc', q, deep: true });
  });
  for (const sort of SORTS) {
    for (const order of ['asc', 'desc'] as const) {
      queries.push({ label: 'no product in the price range', limit: LIMIT, sort, order, minPrice: '0.01', maxPrice: '0.49' });
      queries.push({
        label: 'no product in the price range, every category',
        limit: LIMIT,
        sort,
        order,
        minPrice: '0.01',
        maxPrice: '0.49',
        categories,
      });
      queries.push({
        label: 'one paisa of price range, deep cursor',
        limit: LIMIT,
        sort,
        order,
        minPrice: '100.01',
        maxPrice: '100.01',
        deep: true,
      });
    }
  }
  return queries;
}

async function sample(knex: Knex, count: number): Promise<SampledProduct[]> {
  const rows = (await knex('products').select('id', 'name', 'description').where('deleted', 0).orderBy('id').limit(count)) as Record<
    string,
    string | number
  >[];
  return rows.map((row) => ({ id: Number(row.id), terms: searchTerms(`${row.name} ${row.description}`) }));
}

/** Up to `count` pairs of `words` that no sampled product has both of, each word in at most two pairs. */
function neverMeeting(words: readonly string[], count: number, meet: (words: readonly string[]) => boolean): string[][] {
  const pairs: string[][] = [];
  const uses = new Map<string, number>();
  const free = (w: string) => (uses.get(w) ?? 0) < 2;
  for (let i = 0; i < words.length && pairs.length < count; i += 1) {
    for (let j = i + 1; j < words.length && pairs.length < count && free(words[i]); j += 1) {
      const pair = [words[i], words[j]];
      if (!free(pair[1]) || meet(pair)) continue;
      pairs.push(pair);
      for (const w of pair) uses.set(w, (uses.get(w) ?? 0) + 1);
    }
  }
  return pairs;
}

/** Products per prefix: every prefix of every term, each product counted once. */
function countPrefixes(products: readonly SampledProduct[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const { terms } of products) {
    const prefixes = new Set<string>();
    for (const term of terms) for (let n = 1; n <= term.length; n += 1) prefixes.add(term.slice(0, n));
    for (const prefix of prefixes) counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
  }
  return counts;
}

/** The shortest prefix of `word` that still never meets `others`: as common as the word can get. */
function shortestPrefix(
  word: string,
  others: readonly string[],
  meet: (words: readonly string[]) => boolean,
  share: (p: string) => number,
) {
  for (let n = 1; n < word.length; n += 1) {
    const prefix = word.slice(0, n);
    if (share(prefix) > 0 && !meet([prefix, ...others])) return prefix;
  }
  return word;
}
