import type { ProductChange } from './product-change.js';

/** An event as the partner delivered it, after its signature and shape were checked. */
export interface PartnerEvent {
  /** The partner's event id: the same on every delivery of the event, unique across events. */
  readonly id: string;
  /** The type as sent, known or not. */
  readonly type: string;
  readonly occurredAt: Date;
  /** The change to apply; null for a type this service does not know (recorded, not applied). */
  readonly change: ProductChange | null;
  /** The event exactly as received, kept in the inbox. */
  readonly payload: string;
}
