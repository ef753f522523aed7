import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Knex } from 'knex';
import { drive, type LoadResult, type LoadSettings } from './load.js';
import type { ReplicaPair } from './replica-pair.js';
import type { Listing, RequestPlans } from './request-plans.js';
import { startWebhookWriter, writeWriterInput } from './start-webhook-writer.js';
import type { WebhookWriterResult } from './webhook-writer-result.js';
import { WriteTargets } from './write-targets.js';

export interface ReplicaLagSettings {
  /** The writer's rates in events/s, one row each (0: reads alone). */
  readonly rates: readonly number[];
  /** The cold read load beside the writer. */
  readonly reads: LoadSettings;
  readonly sampleEveryMs: number;
  readonly writeTargets: number;
  readonly freshnessSamplesPerSecond: number;
  readonly webhookSecret: string;
}

/** Percentiles of one lag measure over a row's samples. */
export interface LagSummary {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** One writer rate against the service with a replica: the writer, the lag sampled meanwhile, where reads ran. */
export interface ReplicaLagRow {
  readonly rate: number;
  readonly seconds: number;
  readonly reads: LoadResult;
  readonly writer?: WebhookWriterResult;
  readonly samples: number;
  readonly transactions: LagSummary;
  /** Seconds_Behind_Master; null samples (not replicating) count as Infinity. */
  readonly secondsBehind: LagSummary;
  readonly catchUpMs: LagSummary;
  /** database_replica_reads_total over the window: on the replica, and on the primary by reason. */
  readonly routed: { readonly replica: number; readonly primary: Readonly<Record<string, number>> };
}

const CATCH_UP_LIMIT_SECONDS = 10;

/**
 * Issue 17's replica lag under webhooks: for each rate, cold listings on the service with a replica
 * (`routedUrl`) while bench/webhook-writer.ts sends signed webhooks to it, and the pair's lag sampled
 * every `sampleEveryMs` (ReplicaPair.lag); the service's /metrics tell where its reads ran. The
 * written products are restored afterwards (the pair is private, but later rows start from the seed).
 */
export async function measureReplicaLag(
  pair: ReplicaPair,
  primaryKnex: Knex,
  routedUrl: string,
  plans: RequestPlans,
  pools: readonly (readonly Listing[])[],
  settings: ReplicaLagSettings,
  log: (message: string) => void,
): Promise<ReplicaLagRow[]> {
  const runId = `r${Date.now().toString(36)}`;
  const inputFile = join(tmpdir(), `farmlokal-bench-replica-writer-${runId}.json`);
  const targets = await WriteTargets.choose(
    primaryKnex,
    join(tmpdir(), `farmlokal-bench-replica-restore-${runId}.json`),
    settings.writeTargets,
    11,
  );
  const rows: ReplicaLagRow[] = [];
  try {
    let versionBase = (await targets.highestVersion()) + 1;
    let current = targets.targets;
    for (const [i, rate] of settings.rates.entries()) {
      await pair.caughtUp();
      writeWriterInput(inputFile, current, plans);
      const writer =
        rate > 0
          ? await startWebhookWriter({
              SERVICE_URL: routedUrl,
              RATE: String(rate),
              DURATION_S: String(settings.reads.durationSeconds),
              SAMPLES_PER_S: String(settings.freshnessSamplesPerSecond),
              RUN_ID: runId,
              WEBHOOK_SECRET: settings.webhookSecret,
              TARGETS_FILE: inputFile,
              VERSION_BASE: String(versionBase),
            })
          : undefined;
      const routedBefore = await routedReads(routedUrl);
      const sampling = sampleLag(pair, settings.sampleEveryMs, settings.reads.durationSeconds * 1_000);
      const pool = pools[i % pools.length].map((listing) => plans.servicePath(listing));
      let next = 0;
      const reads = await drive(routedUrl, () => pool[next++ % pool.length], settings.reads);
      const samples = await sampling;
      const routedAfter = await routedReads(routedUrl);
      const written = await writer?.result;
      if (written) current = written.targets.map((t) => ({ ...t }));
      versionBase += 10_000_000;
      const row: ReplicaLagRow = {
        rate,
        seconds: settings.reads.durationSeconds,
        reads,
        ...(written ? { writer: written } : {}),
        samples: samples.length,
        transactions: summarise(samples.map((s) => s.transactions)),
        secondsBehind: summarise(samples.map((s) => s.secondsBehind ?? Infinity)),
        catchUpMs: summarise(samples.map((s) => s.catchUpMs)),
        routed: difference(routedBefore, routedAfter),
      };
      rows.push(row);
      log(
        `replica lag W=${rate}: ${samples.length} samples, behind p50/p99/max ${row.transactions.p50}/${row.transactions.p99}/${row.transactions.max} transactions, ` +
          `catch-up p99 ${row.catchUpMs.p99.toFixed(1)} ms; reads ${Math.round(reads.requestsPerSecond)} req/s, ${row.routed.replica} on the replica, ` +
          `on the primary ${JSON.stringify(row.routed.primary)}${written ? `; writer ${written.acknowledged}/${written.scheduled} acknowledged, failed ${JSON.stringify(written.failed)}` : ''}`,
      );
    }
  } finally {
    rmSync(inputFile, { force: true });
    await targets.restore();
  }
  return rows;
}

type LagSample = Awaited<ReturnType<ReplicaPair['lag']>>;

/** ReplicaPair.lag every `everyMs` for `durationMs` (a sample that outlasts its interval delays the next). */
async function sampleLag(pair: ReplicaPair, everyMs: number, durationMs: number): Promise<LagSample[]> {
  const samples: LagSample[] = [];
  const started = performance.now();
  while (performance.now() - started < durationMs) {
    const tick = performance.now();
    samples.push(await pair.lag(CATCH_UP_LIMIT_SECONDS));
    await delay(Math.max(0, everyMs - (performance.now() - tick)));
  }
  return samples;
}

function summarise(values: readonly number[]): LagSummary {
  const sorted = values.slice().sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}

type Routed = Map<string, number>;

/** database_replica_reads_total from the service's /metrics, by `target|reason`. */
async function routedReads(url: string): Promise<Routed> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts: Routed = new Map();
  for (const match of text.matchAll(/^database_replica_reads_total\{([^}]*)\} (\S+)$/gm)) {
    const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(match[1])?.[1] ?? '';
    counts.set(`${label('target')}|${label('reason')}`, Number(match[2]));
  }
  return counts;
}

function difference(before: Routed, after: Routed): ReplicaLagRow['routed'] {
  let replica = 0;
  const primary: Record<string, number> = {};
  for (const [key, value] of after) {
    const delta = value - (before.get(key) ?? 0);
    const [target, reason] = key.split('|');
    if (target === 'replica') replica += delta;
    else if (delta > 0) primary[reason || 'unknown'] = delta;
  }
  return { replica, primary };
}
