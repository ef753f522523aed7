import type { Knex } from 'knex';
import type { ProductRepository } from '../../domain/ports/product-repository.js';
import { generateProduct, seededRandom } from './catalog-generator.js';

export const DEMO_PRODUCT_COUNT = 500;

/** Gives an empty embedded database a small catalogue, so a first `npm start` has something to show. */
export async function seedDemoCatalog(knex: Knex, products: ProductRepository, now = Date.now()): Promise<number> {
  const row = await knex('products').count({ n: '*' }).first();
  if (Number(row?.n ?? 0) > 0) return 0;
  const random = seededRandom(42);
  const drafts = Array.from({ length: DEMO_PRODUCT_COUNT }, (_, i) => generateProduct(i + 1, random, now));
  return products.upsert(drafts);
}
