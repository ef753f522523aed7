import type { WriteTarget } from './write-targets.js';

export interface FreshnessSample {
  readonly type: 'stock' | 'price';
  /** ms from the 2xx until the detail page, and the listing page, showed the change; null: not within POLL_LIMIT_MS. */
  readonly detailMs: number | null;
  readonly listingMs: number | null;
  /** Whether both pages answered X-Cache: HIT before the webhook was sent. */
  readonly cachedBefore: boolean;
}

export interface WebhookWriterResult {
  readonly scheduled: number;
  /** Events due while MAX_IN_FLIGHT deliveries were unanswered: skipped, so the achieved rate falls short. */
  readonly notSent: number;
  readonly acknowledged: number;
  /** 2xx answers that arrived within the window: the achieved rate is this over the window's length. */
  readonly acknowledgedInWindow: number;
  /** Non-2xx answers by status, and 'error' for no answer. */
  readonly failed: Record<string, number>;
  /** The `status` of each 2xx body: applied, superseded, duplicate. */
  readonly outcomes: Record<string, number>;
  readonly latencyP50: number;
  readonly latencyP99: number;
  readonly samples: readonly FreshnessSample[];
  /** Each target's values after the last event sent to it, for the next writer. */
  readonly targets: readonly WriteTarget[];
}

export interface WebhookWriterInput {
  readonly targets: readonly (WriteTarget & { readonly listingPath: string })[];
  readonly categories: readonly string[];
}
