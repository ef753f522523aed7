import http from 'node:http';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { seededRandom } from '../src/infrastructure/seed/catalog-generator.js';
import { webhookHeaders } from '../tools/mock-partner/sign-webhook.js';
import type { FreshnessSample, WebhookWriterInput, WebhookWriterResult } from './webhook-writer-result.js';
import { BENCH_EVENT_PREFIX, BENCH_SKU_PREFIX, type WriteTarget } from './write-targets.js';

// The mixed scenario's partner (issue 13), in a process of its own so that the read load's event
// loop does not delay its clock: sends signed webhooks at RATE events/s for DURATION_S (80% stock
// changes, 15% price changes, 5% upserts of BENCH- products), open loop, and for about
// SAMPLES_PER_S of its stock and price changes measures freshness: the time from the webhook's
// 2xx until the product's detail page and a cached listing page holding it both show the change.
// Prints one JSON line (WebhookWriterResult) when done.

// Consecutive polls that must all show the change (new connections, so cluster workers take turns).
const CONFIRMATIONS = 4;
const POLL_INTERVAL_MS = 10;
const POLL_LIMIT_MS = 5_000;
const UPSERTED_SKUS = 50;
const MAX_IN_FLIGHT = 256;

const env = process.env as Record<string, string>;
const base = new URL(env.SERVICE_URL);
const rate = Number(env.RATE);
const durationMs = Number(env.DURATION_S) * 1_000;
const samplesPerSecond = Number(env.SAMPLES_PER_S ?? 4);
const runId = env.RUN_ID;
const secret = env.WEBHOOK_SECRET;
const input = JSON.parse(readFileSync(env.TARGETS_FILE, 'utf8')) as WebhookWriterInput;
const random = seededRandom(Number(env.SEED ?? 1));
let version = Number(env.VERSION_BASE);

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
const busy = new Set<number>();
const failed: Record<string, number> = {};
const outcomes: Record<string, number> = {};
const latencies: number[] = [];
const samples: FreshnessSample[] = [];
const pending = new Set<Promise<void>>();
let acknowledged = 0;
let acknowledgedInWindow = 0;
let notSent = 0;
let inFlight = 0;

const sampleEvery = Math.max(1, Math.round(rate / samplesPerSecond));
// The parent starts its reads on this line, so both windows open together.
process.stdout.write('ready\n');
const started = performance.now();
let scheduled = 0;
while (performance.now() - started < durationMs) {
  const due = Math.floor(((performance.now() - started) / 1_000) * rate);
  for (; scheduled < due; scheduled += 1) track(send(scheduled));
  await delay(2);
}
await Promise.race([Promise.all(pending), delay(POLL_LIMIT_MS * 2)]);
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? null;
const result: WebhookWriterResult = {
  scheduled,
  notSent,
  acknowledged,
  acknowledgedInWindow,
  failed,
  outcomes,
  latencyP50: at(0.5) ?? NaN,
  latencyP99: at(0.99) ?? NaN,
  samples,
  targets: input.targets.map(({ listingPath: _, ...target }) => target),
};
// Pipes are written synchronously on Linux, so exiting at once loses nothing; unfinished polls end here.
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);

function track(work: Promise<void>) {
  pending.add(work);
  void work.finally(() => pending.delete(work));
}

async function send(n: number): Promise<void> {
  if (inFlight >= MAX_IN_FLIGHT) {
    notSent += 1;
    return;
  }
  const draw = random();
  const target = draw < 0.95 ? idleTarget() : undefined;
  const type = draw < 0.8 ? 'stock' : 'price';
  if (!target) await deliver(upsert(n));
  else if (n % sampleEvery === 0) await sample(target, type, n);
  else await deliver(change(target, type, n));
}

/** One stock or price change, its delivery, then both pages polled until they show it. */
async function sample(target: WebhookWriterInput['targets'][number], type: 'stock' | 'price', n: number) {
  busy.add(target.id);
  try {
    const detailPath = `/api/products/${target.id}`;
    const warm = await Promise.all([cacheUntilHit(detailPath), cacheUntilHit(target.listingPath)]);
    const event = change(target, type, n);
    const expected = type === 'stock' ? target.stock : rupees(target.pricePaise);
    const acknowledgedAt = await deliver(event);
    if (acknowledgedAt === undefined) return;
    // Counted as never seen unless the polls below finish before the writer exits.
    const result = { type, detailMs: null as number | null, listingMs: null as number | null, cachedBefore: warm.every(Boolean) };
    samples.push(result);
    const shows = (product: { price?: string; stock?: number } | undefined) =>
      (type === 'stock' ? product?.stock : product?.price) === expected;
    [result.detailMs, result.listingMs] = await Promise.all([
      pollUntil(detailPath, acknowledgedAt, (body) => shows(body as { stock?: number })),
      pollUntil(target.listingPath, acknowledgedAt, (body) =>
        shows((body as { data?: { id: number; price?: string; stock?: number }[] }).data?.find((p) => p.id === target.id)),
      ),
    ]);
  } finally {
    busy.delete(target.id);
  }
}

function idleTarget() {
  for (let tries = 0; tries < 10; tries += 1) {
    const target = input.targets[Math.floor(random() * input.targets.length)];
    if (!busy.has(target.id)) return target;
  }
  return undefined;
}

/** A change to a value other than the current one, so a reader can tell it arrived. */
function change(target: WriteTarget, type: 'stock' | 'price', n: number) {
  if (type === 'stock') {
    target.stock = (target.stock + 1 + Math.floor(random() * 400)) % 500;
    return event(n, 'product.stock_changed', { sku: target.sku, version: ++version, stock: target.stock });
  }
  const factor = 0.8 + random() * 0.4;
  let price = Math.max(50, Math.round((target.pricePaise * factor) / 50) * 50);
  if (price === target.pricePaise) price += 50;
  target.pricePaise = price;
  return event(n, 'product.price_changed', { sku: target.sku, version: ++version, price: rupees(price) });
}

function upsert(n: number) {
  const k = Math.floor(random() * UPSERTED_SKUS);
  return event(n, 'product.upserted', {
    sku: `${BENCH_SKU_PREFIX}${runId}-${k}`,
    version: ++version,
    name: `Bench Item ${k}`,
    description: 'Written by npm run bench.',
    category: input.categories[k % input.categories.length],
    price: rupees(1_000 + Math.floor(random() * 1_000) * 50),
    stock: Math.floor(random() * 500),
  });
}

function event(n: number, type: string, data: Record<string, unknown>) {
  return JSON.stringify({ id: `${BENCH_EVENT_PREFIX}${runId}_${env.RATE}_${n}`, type, occurredAt: new Date().toISOString(), data });
}

/** Sends one webhook; resolves with the time its 2xx arrived, or undefined. */
async function deliver(body: string): Promise<number | undefined> {
  inFlight += 1;
  const sentAt = performance.now();
  try {
    const headers = webhookHeaders([secret], body);
    const response = await request('POST', '/api/webhooks/partner', { agent: keepAlive, headers, body });
    const now = performance.now();
    if (response.status >= 200 && response.status < 300) {
      acknowledged += 1;
      if (now - started <= durationMs) acknowledgedInWindow += 1;
      latencies.push(now - sentAt);
      const status = (JSON.parse(response.body) as { status?: string }).status ?? 'unknown';
      outcomes[status] = (outcomes[status] ?? 0) + 1;
      return now;
    }
    failed[response.status] = (failed[response.status] ?? 0) + 1;
  } catch {
    failed.error = (failed.error ?? 0) + 1;
  } finally {
    inFlight -= 1;
  }
  return undefined;
}

async function cacheUntilHit(path: string): Promise<boolean> {
  for (let i = 0; i < 8; i += 1) {
    const response = await request('GET', path).catch(() => undefined);
    if (response?.cache === 'HIT') return true;
  }
  return false;
}

/**
 * Polls `path` on a new connection each time until CONFIRMATIONS answers in a row show the
 * change; the result is the time the first of them arrived, in ms after `since`, or null when none
 * showed it within POLL_LIMIT_MS (confirming may take longer: on a loaded machine one poll can).
 */
async function pollUntil(path: string, since: number, shows: (body: unknown) => boolean): Promise<number | null> {
  let streakStart: number | undefined;
  let streak = 0;
  while (streak > 0 || performance.now() - since < POLL_LIMIT_MS) {
    const response = await request('GET', path).catch(() => undefined);
    const now = performance.now();
    if (response?.status === 200 && shows(JSON.parse(response.body))) {
      if (streak === 0) streakStart = now;
      streak += 1;
      if (streak >= CONFIRMATIONS) return streakStart! - since;
    } else {
      streak = 0;
    }
    await delay(POLL_INTERVAL_MS);
  }
  return null;
}

function request(
  method: string,
  path: string,
  options: { agent?: http.Agent; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string; cache?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: base.hostname, port: base.port, method, path, agent: options.agent ?? false, headers: options.headers, timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString(),
            cache: res.headers['x-cache'] as string | undefined,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(options.body);
  });
}

function rupees(paise: number) {
  return `${Math.floor(paise / 100)}.${String(paise % 100).padStart(2, '0')}`;
}
