/** What a claim on an event found. */
export type EventClaim =
  /** The caller holds the event until the lease ends; `token` proves it when releasing. */
  | { readonly status: 'claimed'; readonly token: string }
  /** Another caller holds it; its lease ends within `retryAfterMs`. */
  | { readonly status: 'processing'; readonly retryAfterMs: number }
  /** The event was processed already. */
  | { readonly status: 'done' };

/**
 * A fast, shared first line against processing one event twice at the same time. It is advisory:
 * it can forget (a flushed or unreachable store), so the durable inbox (ProductEventStore) decides.
 */
export interface EventDeduplicator {
  /**
   * In one atomic step: claims `eventId` for `leaseMs` when nobody holds it and it is not done;
   * otherwise reports who has it. A holder that dies blocks the event only until its lease ends.
   */
  claim(eventId: string, leaseMs: number): Promise<EventClaim>;

  /**
   * Marks `eventId` done for `retainMs`, replacing any claim: call it only once the event's effect
   * is durable. Idempotent.
   */
  complete(eventId: string, retainMs: number): Promise<void>;

  /** Ends the claim `token` holds, so a retry need not wait for the lease; a no-op when it no longer holds it. */
  release(eventId: string, token: string): Promise<void>;
}
