import type { AvailabilitySnapshot, LastKnownAvailability } from '../../domain/ports/last-known-availability.js';
import { BoundedMap } from '../../shared/bounded-map.js';

/** Last known availability in process memory: one instance's view, lost on restart. Bounded in size. */
export class InMemoryLastKnownAvailability implements LastKnownAvailability {
  private readonly snapshots: BoundedMap<string, AvailabilitySnapshot>;

  constructor(
    private readonly retentionMs: number,
    private readonly now: () => number = Date.now,
    maxEntries = 50_000,
  ) {
    this.snapshots = new BoundedMap(maxEntries);
  }

  async remember(snapshot: AvailabilitySnapshot): Promise<void> {
    if (!this.retained(snapshot)) return;
    const stored = this.snapshots.get(snapshot.sku);
    if (stored && stored.asOf.getTime() >= snapshot.asOf.getTime()) return;
    this.snapshots.set(snapshot.sku, { ...snapshot });
  }

  async recall(sku: string): Promise<AvailabilitySnapshot | null> {
    const stored = this.snapshots.get(sku);
    return stored && this.retained(stored) ? { ...stored } : null;
  }

  private retained(snapshot: AvailabilitySnapshot) {
    return snapshot.asOf.getTime() + this.retentionMs > this.now();
  }
}
