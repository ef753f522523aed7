import { z } from 'zod';
import type { PartnerEvent } from '../../domain/partner-event.js';
import { PRODUCT_CHANGE_TYPES, type ProductChange, type ProductChangeType } from '../../domain/product-change.js';
import { HttpProblem } from './http-problem.js';
import { PRODUCT_CHANGE_DATA_SCHEMAS, PartnerEventEnvelopeSchema } from './schemas/partner-event-schemas.js';
import { validate } from './validation.js';

/** Reads a delivery's bytes as a PartnerEvent: 400 for bytes that are not JSON or an event that is invalid. */
export function parsePartnerEvent(raw: Buffer): PartnerEvent {
  const payload = raw.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    throw new HttpProblem(400, 'Malformed JSON', 'The request body is not valid JSON.');
  }
  const { id, type, occurredAt, data } = validate(PartnerEventEnvelopeSchema, json, 'body');
  const event = { id, type, occurredAt: new Date(occurredAt), payload };
  if (!isProductChangeType(type)) return { ...event, change: null };
  const known = validate(CHANGE_SCHEMAS[type], { data }, 'body');
  return { ...event, change: known.data };
}

/**
 * Each type's data under `data` (so problems name `body.data.<field>`), built once: zod compiles an
 * object's parser on its first use, so a schema made per delivery made a parse take ~50 µs instead of ~12 µs.
 */
const CHANGE_SCHEMAS = Object.fromEntries(
  Object.entries(PRODUCT_CHANGE_DATA_SCHEMAS).map(([type, data]) => [type, z.object({ data })]),
) as unknown as Readonly<Record<ProductChangeType, z.ZodType<{ data: ProductChange }>>>;

function isProductChangeType(type: string): type is ProductChangeType {
  return (PRODUCT_CHANGE_TYPES as readonly string[]).includes(type);
}
