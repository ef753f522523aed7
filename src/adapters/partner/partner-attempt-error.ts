export type AttemptFailureKind = 'network' | 'timeout' | 'server-error' | 'rate-limited' | 'bad-response' | 'deadline';

const RETRYABLE: ReadonlySet<AttemptFailureKind> = new Set(['network', 'timeout', 'server-error', 'rate-limited']);

/** Why one HTTP attempt at the partner failed; never leaves the partner adapter. */
export class PartnerAttemptError extends Error {
  readonly status: number | null;
  /** The partner's Retry-After, in milliseconds, when it sent one. */
  readonly retryAfterMs: number | null;

  constructor(
    readonly kind: AttemptFailureKind,
    message: string,
    options: { status?: number; retryAfterMs?: number | null; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'PartnerAttemptError';
    this.status = options.status ?? null;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.kind);
  }
}
