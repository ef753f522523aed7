import type { Knex } from 'knex';
import { CATEGORY_SLUGS, seededRandom } from '../src/infrastructure/seed/catalog-generator.js';

const SORTS = ['createdAt', 'price', 'name'] as const;
const ORDERS = ['asc', 'desc'] as const;
// Words of the seeded vocabulary: item names, qualifiers, farms and towns, some rare, most not.
const SEARCH_WORDS = [
  'mango',
  'milk',
  'paneer',
  'ghee',
  'rice',
  'dal',
  'atta',
  'tomato',
  'onion',
  'banana',
  'chai',
  'coffee',
  'oil',
  'makhana',
  'chikki',
  'bread',
  'turmeric',
  'organic',
  'desi',
  'premium',
  'village',
  'nashik',
  'pune',
  'mysuru',
  'kolar',
  'sahyadri',
  'kalanamak',
  'coconut',
  'spinach',
  'ragi',
];
const PRICE_BANDS = 5;
const POPULAR_DETAILS = 100;

/**
 * The mixed scenario's reads (issue 13): about 300 URLs a shop's traffic concentrates on (first
 * pages of every category, sort and order, price bands, searches, category pairs, ~100 popular
 * product pages), ranked by a seeded shuffle and asked for with Zipf weights (rank k: 1/k), so a
 * few are asked for constantly and the tail now and then.
 */
export class ReadMix {
  private constructor(
    readonly paths: readonly string[],
    private readonly cumulative: readonly number[],
    private readonly random: () => number,
  ) {}

  static async build(knex: Knex, seed: number): Promise<ReadMix> {
    const random = seededRandom(seed);
    const query = (params: Record<string, string>) => `/api/products?${new URLSearchParams({ limit: '20', ...params }).toString()}`;
    const paths: string[] = [];
    for (const category of [undefined, ...CATEGORY_SLUGS]) {
      for (const sort of SORTS) for (const order of ORDERS) paths.push(query({ sort, order, ...(category ? { category } : {}) }));
    }
    for (const category of CATEGORY_SLUGS) {
      const [low, high] = await priceRange(knex, category);
      const step = (high - low) / PRICE_BANDS;
      for (let band = 0; band < PRICE_BANDS; band += 1) {
        const [min, max] = [low + band * step, low + (band + 1) * step].map((paise) => Math.round(paise / 100).toFixed(2));
        paths.push(query({ category, sort: 'price', order: band % 2 ? 'desc' : 'asc', minPrice: min, maxPrice: max }));
      }
    }
    SEARCH_WORDS.forEach((q, i) => {
      paths.push(query({ q }));
      paths.push(query({ q, ...(i % 2 ? { sort: 'price' } : { category: CATEGORY_SLUGS[i % CATEGORY_SLUGS.length] }) }));
    });
    for (let i = 0; i < CATEGORY_SLUGS.length; i += 1) {
      const pair = `${CATEGORY_SLUGS[i]},${CATEGORY_SLUGS[(i + 1) % CATEGORY_SLUGS.length]}`;
      paths.push(query({ category: pair }), query({ category: pair, sort: 'price' }));
    }
    for (const id of await popularIds(knex, POPULAR_DETAILS, random)) paths.push(`/api/products/${id}`);
    const ranked = shuffle(paths, random);
    let total = 0;
    const cumulative = ranked.map((_, k) => (total += 1 / (k + 1)));
    return new ReadMix(
      ranked,
      cumulative.map((c) => c / total),
      random,
    );
  }

  /** The next path to ask for, drawn with the Zipf weights. */
  next(): string {
    const r = this.random();
    let [low, high] = [0, this.cumulative.length - 1];
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.cumulative[middle] < r) low = middle + 1;
      else high = middle;
    }
    return this.paths[low];
  }
}

async function priceRange(knex: Knex, category: string): Promise<[number, number]> {
  const edge = async (order: 'asc' | 'desc') =>
    (await knex('products').select('price_paise').where({ category, deleted: 0 }).orderBy('price_paise', order).first()) as
      { price_paise: number } | undefined;
  const [low, high] = await Promise.all([edge('asc'), edge('desc')]);
  return [Number(low?.price_paise ?? 0), Number(high?.price_paise ?? 100_000)];
}

/** Ids of live products spread over the catalogue. */
async function popularIds(knex: Knex, count: number, random: () => number): Promise<number[]> {
  const { max } = (await knex('products').max({ max: 'id' }).first()) as { max: number };
  const wanted = new Set<number>();
  while (wanted.size < Math.min(count * 2, max)) wanted.add(1 + Math.floor(random() * max));
  const rows = (await knex('products')
    .select('id')
    .whereIn('id', [...wanted])
    .andWhere('deleted', 0)) as { id: number }[];
  return rows.map((row) => Number(row.id)).slice(0, count);
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
