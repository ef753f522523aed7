import { ProductRows, type ProductRow } from '../../adapters/persistence/product-rows.js';
import { generateProduct, seededRandom } from './catalog-generator.js';

export interface TermRow {
  readonly term: string;
  readonly product_id: number;
}

export interface CatalogBatch {
  readonly products: readonly ProductRow[];
  readonly terms: readonly TermRow[];
}

/** Fixed, so that `--seed N` alone decides the catalogue: creation times fall in the year before it. */
export const SEED_EPOCH_MS = Date.UTC(2026, 10, 1);

/**
 * The generated catalogue as rows ready to write, ids 1..count in order (the seeder fills an empty
 * table, so it can assign them and write each product's terms in the same pass).
 */
export function* catalogBatches(count: number, seed: number, batchSize: number): Generator<CatalogBatch> {
  const random = seededRandom(seed);
  for (let first = 1; first <= count; first += batchSize) {
    const last = Math.min(count, first + batchSize - 1);
    const products: ProductRow[] = [];
    const terms: TermRow[] = [];
    for (let id = first; id <= last; id += 1) {
      const draft = generateProduct(id, random, SEED_EPOCH_MS);
      products.push({ id, ...ProductRows.fromDraft(draft, SEED_EPOCH_MS) });
      for (const term of ProductRows.terms(id, draft)) terms.push(term);
    }
    yield { products, terms };
  }
}
