import type { ProductDraft } from '../../domain/ports/product-repository.js';

interface CategorySpec {
  readonly items: readonly string[];
  readonly sizes: readonly string[];
  readonly priceRange: readonly [number, number];
}

const CATEGORIES: Readonly<Record<string, CategorySpec>> = {
  milk: {
    items: ['Cow Milk', 'Buffalo Milk', 'A2 Gir Cow Milk', 'Toned Milk', 'Skimmed Milk'],
    sizes: ['500 ml', '1 litre', '2 litre'],
    priceRange: [28, 120],
  },
  dairy: {
    items: ['Paneer', 'Curd', 'Ghee', 'Butter', 'Buttermilk', 'Khoa', 'Cheese'],
    sizes: ['200 g', '500 g', '1 kg'],
    priceRange: [40, 900],
  },
  vegetables: {
    items: [
      'Tomato',
      'Onion',
      'Potato',
      'Spinach',
      'Okra',
      'Brinjal',
      'Cauliflower',
      'Carrot',
      'Bitter Gourd',
      'Drumstick',
      'Green Chilli',
      'Coriander',
    ],
    sizes: ['250 g', '500 g', '1 kg'],
    priceRange: [10, 120],
  },
  fruit: {
    items: ['Alphonso Mango', 'Kesar Mango', 'Banana', 'Papaya', 'Guava', 'Pomegranate', 'Sapota', 'Jackfruit', 'Custard Apple', 'Lychee'],
    sizes: ['500 g', '1 kg', '1 dozen'],
    priceRange: [30, 600],
  },
  grains: {
    items: ['Basmati Rice', 'Sona Masoori Rice', 'Wheat Atta', 'Jowar', 'Bajra', 'Ragi', 'Toor Dal', 'Moong Dal', 'Chana Dal'],
    sizes: ['1 kg', '5 kg', '10 kg'],
    priceRange: [50, 1200],
  },
  spices: {
    items: [
      'Turmeric Powder',
      'Red Chilli Powder',
      'Cumin Seeds',
      'Coriander Powder',
      'Garam Masala',
      'Cardamom',
      'Black Pepper',
      'Cloves',
    ],
    sizes: ['50 g', '100 g', '250 g'],
    priceRange: [20, 800],
  },
  bakery: {
    items: ['Whole Wheat Bread', 'Multigrain Bread', 'Pav', 'Rusk', 'Nankhatai', 'Millet Cookies'],
    sizes: ['200 g', '400 g'],
    priceRange: [25, 250],
  },
  oils: {
    items: ['Cold Pressed Groundnut Oil', 'Mustard Oil', 'Coconut Oil', 'Sesame Oil', 'Sunflower Oil'],
    sizes: ['500 ml', '1 litre', '5 litre'],
    priceRange: [120, 1500],
  },
  beverages: {
    items: ['Masala Chai', 'Filter Coffee Powder', 'Kokum Sherbet', 'Tender Coconut Water', 'Lemon Ginger Honey'],
    sizes: ['250 g', '500 ml', '1 litre'],
    priceRange: [40, 700],
  },
  snacks: {
    items: ['Banana Chips', 'Makhana', 'Roasted Chana', 'Chakli', 'Bhakarwadi', 'Peanut Chikki'],
    sizes: ['100 g', '200 g', '500 g'],
    priceRange: [30, 400],
  },
};

const QUALIFIERS = ['Organic', 'Farm Fresh', 'Desi', 'Handpicked', 'Natural', 'Premium', 'Village', 'Homestyle'];
const FARMS = [
  'Sahyadri Farms',
  'Nashik Valley',
  'Kolar Growers',
  'Anand Dairy Cooperative',
  'Wayanad Estates',
  'Malnad Collective',
  'Ratnagiri Orchards',
  'Punjab Kisan Group',
];
const TOWNS = ['Pune', 'Nashik', 'Mysuru', 'Anand', 'Ratnagiri', 'Coimbatore', 'Nagpur', 'Ludhiana', 'Indore', 'Guntur'];
// Short blurbs keep the search index near ten terms a product; five of six say "fresh", so with
// the "Farm Fresh" qualifier COMMON_WORD is in about 85% of products.
const ORIGINS = ['Fresh from', 'Fresh from', 'Fresh from', 'Fresh from', 'Fresh from', 'Sourced from'];

export const CATEGORY_SLUGS = Object.keys(CATEGORIES);

/** A search word in most products: the benchmark's and the plan test's "common word". */
export const COMMON_WORD = 'fresh';
/** A search word in one product per RARE_EVERY (10 in a million): the "rare word". */
export const RARE_WORD = 'kalanamak';
export const RARE_EVERY = 100_000;
const RARE_ITEM = 'Kalanamak Rice';

/** Mulberry32: a tiny, fast, seedable generator, so `--seed N` reproduces the same catalogue. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Realistic hyperlocal products. Prices fall on round 50-paise steps and creation times on whole
 * minutes, so many products share a price or a timestamp and pagination must break ties by id.
 * Product `index` (1-based) 7, 100,007, 200,007, ... is the rare item, named with RARE_WORD.
 */
export function generateProduct(index: number, random: () => number, epochMs: number): ProductDraft {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  const rare = index % RARE_EVERY === 7;
  const slug = rare ? 'grains' : pick(CATEGORY_SLUGS);
  const spec = CATEGORIES[slug];
  const item = rare ? RARE_ITEM : pick(spec.items);
  const qualifier = pick(QUALIFIERS);
  const size = pick(spec.sizes);
  const [low, high] = spec.priceRange;
  const pricePaise = Math.round((low + random() * (high - low)) * 2) * 50;
  const createdAt = new Date(epochMs - Math.floor(random() * 365 * 24 * 60) * 60_000);
  return {
    sku: `FL-${slug.slice(0, 3).toUpperCase()}-${String(index).padStart(7, '0')}`,
    name: `${qualifier} ${item} ${size}`,
    description: `${pick(ORIGINS)} ${pick(FARMS)}, ${pick(TOWNS)}.`,
    category: slug,
    pricePaise,
    stock: Math.floor(random() * 500),
    version: 1,
    createdAt,
    updatedAt: createdAt,
  };
}
