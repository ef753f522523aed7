import { randomUUID } from 'node:crypto';
import type { EventClaim, EventDeduplicator } from '../../domain/ports/event-deduplicator.js';

interface Held {
  /** The claim's token, or null once the event is done. */
  readonly token: string | null;
  readonly expiresAt: number;
}

const SWEEP_EVERY = 1_000;

/** Process-local EventDeduplicator: correct for a single instance only. Expired entries are swept now and then. */
export class InMemoryEventDeduplicator implements EventDeduplicator {
  private readonly held = new Map<string, Held>();
  private claims = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async claim(eventId: string, leaseMs: number): Promise<EventClaim> {
    const now = this.now();
    const current = this.held.get(eventId);
    if (current && current.expiresAt > now) {
      return current.token === null ? { status: 'done' } : { status: 'processing', retryAfterMs: current.expiresAt - now };
    }
    if (++this.claims % SWEEP_EVERY === 0) this.sweep(now);
    const token = randomUUID();
    this.held.set(eventId, { token, expiresAt: now + leaseMs });
    return { status: 'claimed', token };
  }

  async complete(eventId: string, retainMs: number): Promise<void> {
    this.held.set(eventId, { token: null, expiresAt: this.now() + retainMs });
  }

  async release(eventId: string, token: string): Promise<void> {
    const current = this.held.get(eventId);
    if (current?.token === token && current.expiresAt > this.now()) this.held.delete(eventId);
  }

  private sweep(now: number) {
    for (const [eventId, held] of this.held) {
      if (held.expiresAt <= now) this.held.delete(eventId);
    }
  }
}
