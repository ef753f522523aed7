import { applyProductChange, type ProductPartVersions } from '../../domain/apply-product-change.js';
import type { PartnerEvent } from '../../domain/partner-event.js';
import type { ProductFacts, ProductWrite } from '../../domain/catalog-tags.js';
import type { EventResult, ProductEventStore, RecordedOutcome } from '../../domain/ports/product-event-store.js';
import type { InMemoryProductRepository } from './in-memory-product-repository.js';

const NEVER_WRITTEN: ProductPartVersions = { content: 0, price: 0, stock: 0, deleted: 0 };

/**
 * The inbox and part versions in process memory, applying changes to the InMemoryProductRepository
 * it is given. Each apply runs without awaiting, so it is atomic within the process.
 */
export class InMemoryProductEventStore implements ProductEventStore {
  private readonly inbox = new Map<string, RecordedOutcome>();
  private readonly parts = new Map<string, ProductPartVersions>();

  constructor(private readonly products: InMemoryProductRepository) {}

  async apply(event: PartnerEvent): Promise<EventResult> {
    if (this.inbox.has(event.id)) return { outcome: 'duplicate', write: null };
    const { outcome, write } = this.applyChange(event);
    this.inbox.set(event.id, outcome);
    return { outcome, write };
  }

  private applyChange({ change }: PartnerEvent): { outcome: RecordedOutcome; write: ProductWrite | null } {
    if (!change) return { outcome: 'ignored', write: null };
    const stored = this.products.storedBySku(change.sku);
    const current = stored ? { ...stored.product, parts: this.parts.get(change.sku) ?? NEVER_WRITTEN } : null;
    const applied = applyProductChange(current, change);
    if (!applied) return { outcome: 'superseded', write: null };
    this.products.replace(applied.product, !applied.live);
    this.parts.set(change.sku, applied.product.parts);
    const before = stored ? facts(stored.product, !stored.deleted) : null;
    return { outcome: 'applied', write: { before, after: facts(applied.product, applied.live) } };
  }
}

function facts({ sku, name, description, category, pricePaise, stock }: Omit<ProductFacts, 'live'>, live: boolean): ProductFacts {
  return { sku, name, description, category, pricePaise, stock, live };
}
