import type { ProductDraft } from '../../src/domain/ports/product-repository.js';

const NAMES = [
  'Organic Alphonso Mango 1 kg',
  'Desi Cow Ghee 500 g',
  'Farm Fresh Spinach 250 g',
  'Banana Chips 200 g',
  'Organic Alphonso Mango 1 kg',
];
const DESCRIPTIONS = [
  'Handpicked near Ratnagiri.',
  'From the Anand cooperative, slow-cooked.',
  'Harvested this morning in Nashik.',
  'Kerala style, small batch.',
];
const CATEGORIES = ['fruit', 'dairy', 'vegetables'];
const BASE = Date.UTC(2026, 0, 1);

/**
 * Products with heavy ties: five names, four prices and three timestamps across `count` rows,
 * so every page boundary falls inside a tie group and only the id keeps the order total.
 */
export function tiedProducts(count: number, skuPrefix = 'T'): ProductDraft[] {
  return Array.from({ length: count }, (_, i) => ({
    sku: `${skuPrefix}-${String(i).padStart(4, '0')}`,
    name: NAMES[i % NAMES.length],
    description: DESCRIPTIONS[(i * 7) % DESCRIPTIONS.length],
    category: CATEGORIES[(i * 3 + Math.floor(i / 5)) % CATEGORIES.length],
    pricePaise: [1250, 1250, 9900, 45000][(i * 11) % 4],
    stock: i % 17,
    version: 1,
    createdAt: new Date(BASE + ((i * 13) % 3) * 60_000),
    updatedAt: new Date(BASE + ((i * 13) % 3) * 60_000),
  }));
}
