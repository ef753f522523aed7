import type { ProductWrite } from '../catalog-tags.js';
import type { PartnerEvent } from '../partner-event.js';

/**
 * What became of a delivered event. `applied`: it changed the catalogue. `superseded`: every part
 * it touches was already written by a newer version. `ignored`: a type this service does not know.
 * `duplicate`: the event had been recorded before, by this or another delivery.
 */
export type EventOutcome = 'applied' | 'superseded' | 'ignored' | 'duplicate';

export type RecordedOutcome = Exclude<EventOutcome, 'duplicate'>;

export interface EventResult {
  readonly outcome: EventOutcome;
  /** What the change did to its product, when `applied`; null for every other outcome. */
  readonly write: ProductWrite | null;
}

/** The durable record of partner events (the inbox) and the catalogue changes they make. */
export interface ProductEventStore {
  /**
   * Records `event` in the inbox under its id and applies its change to the catalogue, both in one
   * transaction: either both are stored or neither. An id recorded before is `duplicate` and writes
   * nothing, so however many deliveries race, across processes, one of them applies the event.
   * Never moves a part of a product back to an older version (see applyProductChange); a deleted
   * product leaves list and findById of the ProductRepository sharing this store.
   * Reports the product as it was before and after the change, as that transaction saw it, so
   * callers can tell which cached responses it reached.
   * Throws DependencyUnavailableError when the database cannot be reached.
   */
  apply(event: PartnerEvent): Promise<EventResult>;
}
