import { z } from 'zod';
import type { ProductChange, ProductChangeType } from '../../../domain/product-change.js';
import { SKU_PATTERN, SKU_RULE } from '../../../domain/product.js';
import { RupeesSchema } from '../../shared/rupees-schema.js';

const sku = z.string().regex(SKU_PATTERN, SKU_RULE);
const version = z.number().int('must be a whole number').min(1, 'must be at least 1').max(Number.MAX_SAFE_INTEGER);
const pricePaise = RupeesSchema;
const stock = z
  .number()
  .int('must be a whole number')
  .min(0, 'must not be negative')
  .max(2 ** 31 - 1);

/** Every delivery: an event id, a type (known or not), when it happened, and its data. */
export const PartnerEventEnvelopeSchema = z.object({
  id: z.string().regex(/^[\x21-\x7e]{1,191}$/, 'must be 1 to 191 visible ASCII characters'),
  type: z.string().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  occurredAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }),
  data: z.record(z.string(), z.unknown(), 'must be an object'),
});

/**
 * The data of each type this service applies, read as the change it describes. Prices are decimal
 * rupee strings, as everywhere in the API. Extra fields are ignored, so the partner can add some.
 */
export const PRODUCT_CHANGE_DATA_SCHEMAS: Readonly<Record<ProductChangeType, z.ZodType<ProductChange>>> = {
  'product.upserted': z
    .object({
      sku,
      version,
      name: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
      description: z.string().max(1000, 'must be at most 1000 characters'),
      category: z
        .string()
        .max(64, 'must be at most 64 characters')
        .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be a lower-case slug'),
      price: pricePaise,
      stock,
    })
    .transform(({ price, ...rest }) => ({ type: 'product.upserted' as const, ...rest, pricePaise: price })),
  'product.price_changed': z
    .object({ sku, version, price: pricePaise })
    .transform(({ sku, version, price }) => ({ type: 'product.price_changed' as const, sku, version, pricePaise: price })),
  'product.stock_changed': z
    .object({ sku, version, stock })
    .transform(({ sku, version, stock }) => ({ type: 'product.stock_changed' as const, sku, version, stock })),
  'product.deleted': z.object({ sku, version }).transform(({ sku, version }) => ({ type: 'product.deleted' as const, sku, version })),
};
