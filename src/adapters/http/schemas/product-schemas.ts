import { z } from 'zod';
import { RupeesSchema } from '../../shared/rupees-schema.js';

const SLUG_LIST = /^[A-Za-z0-9]+(-[A-Za-z0-9]+)*(,[A-Za-z0-9]+(-[A-Za-z0-9]+)*){0,19}$/;

export const MAX_SEARCH_WORDS = 8;
export const MAX_CURSOR_LENGTH = 1024;
export const CURSOR_PATTERN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export const ListProductsQuerySchema = z
  .object({
    limit: z
      .string()
      .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 100')
      .transform(Number)
      .pipe(z.number().min(1, 'must be at least 1').max(100, 'must be at most 100'))
      .optional()
      .describe('Page size, 1 to 100 (default 20).'),
    sort: z.enum(['createdAt', 'price', 'name']).optional().describe('Sort field (default createdAt).'),
    order: z.enum(['asc', 'desc']).optional().describe('Sort order; default desc without sort (newest first), asc with sort.'),
    category: z
      .string()
      .regex(SLUG_LIST, 'must be one category slug, or up to 20 separated by commas')
      .optional()
      .describe('Category slug, or several separated by commas.'),
    minPrice: RupeesSchema.optional(),
    maxPrice: RupeesSchema.optional(),
    q: z
      .string()
      .min(1, 'must not be empty')
      .max(100, 'must be at most 100 characters')
      .optional()
      .describe('Search words; each matches the beginning of a word in the name or description.'),
    cursor: z
      .string()
      .max(MAX_CURSOR_LENGTH, 'is too long')
      .regex(CURSOR_PATTERN, 'is malformed')
      .optional()
      .describe('page.nextCursor from the previous page, used with the same sort, order and filters.'),
  })
  .strict();

export type ListProductsQuery = z.output<typeof ListProductsQuerySchema>;

export const ProductIdParamsSchema = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,9}$/, 'must be a positive whole number')
    .transform(Number)
    .pipe(z.number().max(2 ** 31 - 1, 'is out of range')),
});

export const EmptyQuerySchema = z.object({}).strict();
