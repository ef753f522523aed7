import { z } from 'zod';

export const ProductSchema = z.object({
  id: z.number().int().positive(),
  sku: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string(),
  price: z
    .string()
    .regex(/^\d+\.\d{2}$/)
    .describe('Exact decimal rupees.'),
  currency: z.literal('INR'),
  stock: z.number().int().min(0),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});

export const ProductPageSchema = z.object({
  data: z.array(ProductSchema),
  page: z.object({
    limit: z.number().int().min(1).max(100),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page.'),
    hasMore: z.boolean().describe('True when the listing goes on after this page (nextCursor is set).'),
    partial: z
      .boolean()
      .describe(
        'True when a search page holds fewer than `limit` products, possibly none, yet hasMore is true: ' +
          'each page examines a bounded number of products, and this one ran out of that budget before ' +
          'it filled. Nothing is skipped; follow nextCursor to continue the search from where it stopped.',
      ),
  }),
});
