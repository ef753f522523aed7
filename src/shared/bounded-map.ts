/**
 * A Map that never holds more than `maxEntries`: setting a new key when full evicts the oldest
 * entry (insertion order; setting a key again makes it the newest). `onEvict` hears of each
 * eviction, for owners that keep something beside the entry.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(
    private readonly maxEntries: number,
    private readonly onEvict: (key: K, value: V) => void = () => undefined,
  ) {
    if (!(maxEntries >= 1)) throw new RangeError(`maxEntries must be at least 1, got ${maxEntries}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  set(key: K, value: V): this {
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) this.evictOldest();
    this.entries.set(key, value);
    return this;
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  entriesOldestFirst(): IterableIterator<[K, V]> {
    return this.entries.entries();
  }

  private evictOldest() {
    const oldest = this.entries.entries().next();
    if (oldest.done) return;
    this.entries.delete(oldest.value[0]);
    this.onEvict(oldest.value[0], oldest.value[1]);
  }
}
