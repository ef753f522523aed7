import { z } from 'zod';
import { Price } from '../../domain/price.js';

/** A decimal rupee amount ("12.50") in, integer paise out: the one zod schema over Price, for the edge and the partner's JSON. */
export const RupeesSchema = z
  .string()
  .regex(Price.PATTERN, Price.RULE)
  .transform((text) => Price.parse(text));
