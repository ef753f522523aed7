import { z } from 'zod';

export const AvailabilitySchema = z.object({
  productId: z.number().int().positive(),
  sku: z.string(),
  price: z
    .string()
    .regex(/^\d+\.\d{2}$/)
    .describe('Exact decimal rupees.'),
  currency: z.literal('INR'),
  stock: z.number().int().min(0),
  inStock: z.boolean(),
  asOf: z.iso.datetime().describe('When the partner reported these values.'),
  stale: z.boolean().describe('True when the partner could not answer and these are the last known good values.'),
});
