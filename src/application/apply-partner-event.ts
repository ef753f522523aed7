import { inject, injectable } from 'inversify';
import { EventInProgressError } from '../domain/errors/event-in-progress-error.js';
import { writeTags } from '../domain/catalog-tags.js';
import type { PartnerEvent } from '../domain/partner-event.js';
import type { CatalogCache } from '../domain/ports/catalog-cache.js';
import type { EventClaim, EventDeduplicator } from '../domain/ports/event-deduplicator.js';
import type { Logger } from '../domain/ports/logger.js';
import type { EventOutcome, EventResult, ProductEventStore } from '../domain/ports/product-event-store.js';
import { TYPES } from '../types.js';
import { ThrottledWarning } from '../shared/throttled-warning.js';

export interface PartnerEventSettings {
  /** How long a delivery holds an event it is applying; a holder that dies blocks retries this long. */
  readonly claimLeaseMs: number;
  /** How long an applied event is remembered in the deduplicator (at least 72 hours). */
  readonly doneRetentionMs: number;
}

const DEGRADED_LOG_INTERVAL_MS = 10_000;

/**
 * Applies a partner event exactly once. The deduplicator turns away deliveries of an event that is
 * done or being applied elsewhere, cheaply; the store's inbox is what guarantees it, so when the
 * deduplicator cannot answer (or has forgotten) the event still goes to the store, never to a 5xx.
 */
@injectable()
export class ApplyPartnerEvent {
  private readonly degradedWarning: ThrottledWarning;

  constructor(
    @inject(TYPES.EventDeduplicator) private readonly deduplicator: EventDeduplicator,
    @inject(TYPES.ProductEventStore) private readonly events: ProductEventStore,
    @inject(TYPES.CatalogCache) private readonly cache: CatalogCache,
    @inject(TYPES.Logger) logger: Logger,
    @inject(TYPES.PartnerEventSettings) private readonly settings: PartnerEventSettings,
  ) {
    this.degradedWarning = new ThrottledWarning((fields, message) => logger.warn(fields, message), DEGRADED_LOG_INTERVAL_MS);
  }

  async execute(event: PartnerEvent): Promise<EventOutcome> {
    const claim = await this.claim(event.id);
    if (claim?.status === 'done') return 'duplicate';
    if (claim?.status === 'processing') {
      throw new EventInProgressError(event.id, Math.ceil(claim.retryAfterMs / 1000));
    }
    let result: EventResult;
    try {
      result = await this.events.apply(event);
    } catch (error) {
      if (claim) await this.bestEffort('release the claim', () => this.deduplicator.release(event.id, claim.token));
      throw error;
    }
    await this.bestEffort('invalidate the catalogue cache', () => this.invalidate(event, result));
    // Only once the cache is invalidated: a delivery that died in between is retried, not turned away.
    await this.bestEffort('mark the event done', () => this.deduplicator.complete(event.id, this.settings.doneRetentionMs));
    return result.outcome;
  }

  /**
   * The tags of what the change did. A change the store had recorded already may be one whose
   * delivery died between its commit and this step (the retry reaches here): what it changed is no
   * longer known, so everything is invalidated; rare, and never a stale page after the 2xx.
   */
  private async invalidate(event: PartnerEvent, { outcome, write }: EventResult) {
    if (write) await this.cache.invalidate(writeTags(write));
    else if (outcome === 'duplicate' && event.change) await this.cache.invalidateAll();
  }

  /** The claim, or null when the deduplicator cannot answer: the inbox alone then decides. */
  private async claim(eventId: string): Promise<EventClaim | null> {
    try {
      return await this.deduplicator.claim(eventId, this.settings.claimLeaseMs);
    } catch (error) {
      this.degraded('claim the event (continuing with the database inbox alone)', error);
      return null;
    }
  }

  private async bestEffort(what: string, step: () => Promise<void>) {
    try {
      await step();
    } catch (error) {
      this.degraded(what, error);
    }
  }

  private degraded(what: string, error: unknown) {
    this.degradedWarning.warn({ err: error }, `partner events: could not ${what}`);
  }
}
