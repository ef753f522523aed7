import { z } from 'zod';
import type { PartnerCatalogPage, PartnerProduct } from '../../domain/ports/external-catalog.js';
import { SKU_PATTERN, SKU_RULE } from '../../domain/product.js';
import { RupeesSchema } from '../shared/rupees-schema.js';

const ProductSchema = z.object({
  sku: z.string().regex(SKU_PATTERN, SKU_RULE),
  name: z.string().min(1).max(200),
  description: z.string().max(1000),
  category: z.string().min(1).max(64),
  price: RupeesSchema,
  currency: z.literal('INR'),
  stock: z.number().int().min(0),
  version: z.number().int().min(1),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});

const PageSchema = z.object({
  items: z.array(ProductSchema),
  nextCursor: z.string().min(1).nullable(),
  total: z.number().int().min(0).optional(),
});

type ProductJson = z.output<typeof ProductSchema>;

/** The partner's JSON (API A) to domain types; a body that does not fit is reported with every issue. */
export const PartnerJson = {
  product(body: unknown): PartnerProduct {
    return toProduct(parse(ProductSchema, body));
  },

  page(body: unknown): PartnerCatalogPage {
    const page = parse(PageSchema, body);
    return { items: page.items.map(toProduct), nextCursor: page.nextCursor, total: page.total };
  },
};

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw new Error(result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
}

function toProduct(json: ProductJson): PartnerProduct {
  return {
    sku: json.sku,
    name: json.name,
    description: json.description,
    category: json.category,
    pricePaise: json.price,
    stock: json.stock,
    version: json.version,
    createdAt: new Date(json.createdAt),
    updatedAt: new Date(json.updatedAt),
  };
}
