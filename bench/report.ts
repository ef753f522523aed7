import { summariseFreshness } from './freshness.js';
import type { LoadResult } from './load.js';
import type { MixedRow } from './mixed-scenario.js';
import { quietRatio } from './mixed-targets.js';
import type { LagSummary, ReplicaLagRow } from './replica-lag.js';

export interface ScenarioResult {
  readonly name: string;
  readonly result: LoadResult;
  /** The ceiling this scenario is compared with, by name. */
  readonly ceiling?: string;
  /** The X-Cache values every response of the scenario must carry. */
  readonly expectedCache?: readonly ('HIT' | 'STALE' | 'MISS')[];
}

export interface Target {
  readonly description: string;
  readonly actual: string;
  readonly met: boolean;
}

export interface ReportContext {
  readonly title: string;
  readonly environment: readonly string[];
  readonly commands: readonly string[];
  readonly notes: readonly string[];
}

const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const rps = (n: number) => Math.round(n).toLocaleString('en-US');

/** The report: environment, the scenario table, `sections` (further tables), the targets, notes, the command. */
export function renderReport(
  context: ReportContext,
  scenarios: readonly ScenarioResult[],
  targets: readonly Target[],
  sections: readonly string[] = [],
): string {
  const byName = new Map(scenarios.map((s) => [s.name, s.result]));
  const rows = scenarios.map(({ name, result, ceiling, expectedCache }) => {
    const base = ceiling ? byName.get(ceiling) : undefined;
    const ratio = base ? `${(result.requestsPerSecond / base.requestsPerSecond).toFixed(2)}x ${ceiling}` : '-';
    const cache =
      Object.entries(result.xCache)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || '-';
    const statuses = Object.entries(result.statuses)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    const flag = expectedCache && Object.keys(result.xCache).some((k) => !expectedCache.includes(k as 'HIT')) ? ' (!)' : '';
    return `| ${name} | ${rps(result.requestsPerSecond)} | ${ms(result.p50)} | ${ms(result.p95)} | ${ms(result.p99)} | ${ms(result.max)} | ${ratio} | ${cache}${flag} | ${statuses}${result.errors ? `, errors: ${result.errors}` : ''} |`;
  });
  return [
    `# ${context.title}`,
    '',
    ...context.environment.map((line) => `- ${line}`),
    '',
    '| scenario | req/s | p50 ms | p95 ms | p99 ms | max ms | throughput vs ceiling | X-Cache | responses |',
    '|---|---:|---:|---:|---:|---:|---|---|---|',
    ...rows,
    '',
    ...sections.flatMap((section) => [section, '']),
    '| target (#issue) | measured | met |',
    '|---|---|---|',
    ...targets.map((t) => `| ${t.description} | ${t.actual} | ${t.met ? 'yes' : '**no**'} |`),
    '',
    ...context.notes.map((line) => `- ${line}`),
    '',
    'Produced by:',
    '',
    '```sh',
    ...context.commands,
    '```',
    '',
  ].join('\n');
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');
const fresh = (n: number) => (n === Infinity ? '> 5,000' : Number.isFinite(n) ? count(n) : '-');

/** Issue 13's mixed scenario: one row per round and writer rate. */
export function renderMixedTable(rows: readonly MixedRow[]): string {
  const lines = rows.map((row) => {
    const quiet = quietRatio(rows, row);
    const { reads, writer } = row;
    const cache = Object.entries(reads.xCache)
      .map(([k, v]) => `${k} ${count(v)}`)
      .join(', ');
    const failed = writer ? Object.values(writer.failed).reduce((a, b) => a + b, 0) : 0;
    const notSent = writer?.notSent ? `, ${count(writer.notSent)} not sent: 256 unanswered` : '';
    const nonTwoHundred =
      failed === 0
        ? 'none'
        : Object.entries(writer?.failed ?? {})
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ');
    const writes = writer
      ? `${(writer.acknowledgedInWindow / row.seconds).toFixed(1)}/s (${count(writer.acknowledged)} of ${count(writer.scheduled)} acknowledged${notSent}); ${nonTwoHundred}`
      : '-';
    const f = writer ? summariseFreshness(writer.samples) : undefined;
    const freshness = f
      ? `${fresh(f.p50)} / ${fresh(f.p99)} / ${fresh(f.max)} (${f.samples}${f.notCachedBefore ? `, ${f.notCachedBefore} not cached before` : ''})`
      : '-';
    return `| ${row.round} | ${row.rate} | ${rps(reads.requestsPerSecond)} | ${quiet === undefined ? '-' : `${quiet.toFixed(2)}x`} | ${ms(reads.p50)} | ${ms(reads.p95)} | ${ms(reads.p99)} | ${(row.hitRatio * 100).toFixed(1)}% (${cache}) | ${count(row.statementsPerSecond)} (${count(row.selectsPerSecond)}) | ${writes} | ${writer ? ms(writer.latencyP99) : '-'} | ${freshness} |`;
  });
  return [
    '| round | W (events/s) | read req/s | vs W=0 of its round | p50 ms | p95 ms | p99 ms | hit ratio (X-Cache) | DB statements/s (SELECT/s) | writer: 2xx/s within the window (acknowledged of scheduled); non-2xx | webhook p99 ms | freshness p50 / p99 / max ms (samples) |',
    '|---:|---:|---:|---:|---:|---:|---:|---|---:|---|---:|---|',
    ...lines,
  ].join('\n');
}

/** Issue 14's adversarial search alone, and as the noisy neighbours of other scenarios. */
export function renderAdversarialTable(
  name: string,
  alone: LoadResult | undefined,
  beside: readonly { name: string; result: LoadResult }[],
): string {
  const line = (label: string, r: LoadResult) => {
    const statuses = Object.entries(r.statuses)
      .map(([k, v]) => `${k}: ${count(v)}`)
      .join(', ');
    return `| ${label} | ${count(r.requests)} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ${ms(r.max)} | ${statuses}${r.errors ? `, unanswered: ${r.errors}` : ''} |`;
  };
  return [
    '| adversarial corpus | requests | p50 ms | p95 ms | p99 ms | max ms | responses |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...(alone ? [line(name, alone)] : []),
    ...beside.map((b) => line(b.name, b.result)),
  ].join('\n');
}

/** Issue 17's replica lag under webhooks: one row per writer rate, on the service with a replica. */
export function renderReplicaLagTable(rows: readonly ReplicaLagRow[]): string {
  const lag = (l: LagSummary, format: (n: number) => string) => [l.p50, l.p99, l.max].map(format).join(' / ');
  const seconds = (n: number) => (n === Infinity ? 'stopped' : String(n));
  const lines = rows.map((row) => {
    const { writer, reads, routed } = row;
    const failed = Object.entries(writer?.failed ?? {})
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    const writes = writer
      ? `${(writer.acknowledgedInWindow / row.seconds).toFixed(1)}/s (${count(writer.acknowledged)} of ${count(writer.scheduled)} acknowledged); ${failed || 'none'}`
      : '-';
    const onPrimary = Object.values(routed.primary).reduce((a, b) => a + b, 0);
    const reasons = Object.entries(routed.primary)
      .map(([reason, n]) => `${reason}: ${count(n)}`)
      .join(', ');
    const total = routed.replica + onPrimary;
    const share = total > 0 ? ` (${((routed.replica / total) * 100).toFixed(1)}% on the replica)` : '';
    const f = writer ? summariseFreshness(writer.samples) : undefined;
    const freshness = f ? `${fresh(f.p50)} / ${fresh(f.p99)} / ${fresh(f.max)} (${f.samples})` : '-';
    return `| ${row.rate} | ${writes} | ${writer ? ms(writer.latencyP99) : '-'} | ${lag(row.transactions, count)} | ${lag(row.secondsBehind, seconds)} | ${lag(row.catchUpMs, ms)} (${row.samples}) | ${rps(reads.requestsPerSecond)} (p99 ${ms(reads.p99)}) | ${count(routed.replica)} / ${count(onPrimary)}${reasons ? ` (${reasons})` : ''}${share} | ${freshness} |`;
  });
  return [
    '| W (events/s) | writer: 2xx/s within the window (acknowledged of scheduled); non-2xx | webhook p99 ms | replica behind, transactions p50 / p99 / max | Seconds_Behind_Master p50 / p99 / max | catch-up ms p50 / p99 / max (samples) | cold reads req/s (p99 ms) | reads on the replica / on the primary (why) | freshness p50 / p99 / max ms (samples) |',
    '|---:|---|---:|---|---|---|---|---|---|',
    ...lines,
  ].join('\n');
}
