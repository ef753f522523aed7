import autocannon from 'autocannon';

export interface LoadSettings {
  readonly connections: number;
  readonly durationSeconds: number;
  /** A request unanswered this long counts as an error (autocannon's default: 10 s). */
  readonly timeoutSeconds?: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  /** Responses by status code, and by X-Cache header value when there is one. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly xCache: Readonly<Record<string, number>>;
  readonly errors: number;
}

/** Drives `url` with autocannon, each request taking its path from `nextPath`. */
export async function drive(url: string, nextPath: () => string, settings: LoadSettings): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const xCache: Record<string, number> = {};
  const instance = autocannon({
    url,
    connections: settings.connections,
    duration: settings.durationSeconds,
    ...(settings.timeoutSeconds ? { timeout: settings.timeoutSeconds } : {}),
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => ({ ...request, path: nextPath() }),
        onResponse: (status, _body, _context, headers) => {
          statuses[status] = (statuses[status] ?? 0) + 1;
          const cache = headerValue(headers, 'X-Cache');
          if (cache !== undefined) xCache[cache] = (xCache[cache] ?? 0) + 1;
        },
      },
    ],
  });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => latencies.push(ms));
  const result = await instance;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    requests: latencies.length,
    requestsPerSecond: latencies.length / result.duration,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: latencies.at(-1) ?? NaN,
    statuses,
    xCache,
    errors: result.errors + result.timeouts,
  };
}

/** autocannon keeps the header names as sent; the service sends `X-Cache`. No scan of every header. */
function headerValue(headers: Record<string, string | string[]>, name: string): string | undefined {
  const value = headers?.[name] ?? headers?.[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
