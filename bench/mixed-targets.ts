import { summariseFreshness } from './freshness.js';
import type { MixedRow } from './mixed-scenario.js';
import type { Target } from './report.js';

const ms = (n: number) => (n === Infinity ? 'not seen' : Number.isFinite(n) ? `${Math.round(n)} ms` : 'n/a');

/** Issue 13's targets for the mixed scenario, each against the same run's W=0 row where relative. */
export function mixedTargets(rows: readonly MixedRow[]): Target[] {
  const at = (rate: number) => rows.find((r) => r.rate === rate);
  const quiet = at(0);
  const targets: Target[] = [];
  const w50 = at(50);
  if (w50)
    targets.push({
      description: '#13 mixed, 50 events/s: hit ratio >= 0.9',
      actual: `${w50.hitRatio.toFixed(3)}`,
      met: w50.hitRatio >= 0.9,
    });
  for (const [rate, bar] of [
    [50, 0.7],
    [200, 0.5],
  ] as const) {
    const row = at(rate);
    if (!row || !quiet) continue;
    const ratio = row.reads.requestsPerSecond / quiet.reads.requestsPerSecond;
    targets.push({
      description: `#13 mixed, ${rate} events/s: read throughput >= ${bar}x its W=0 value`,
      actual: `${ratio.toFixed(2)}x (${Math.round(row.reads.requestsPerSecond)} vs ${Math.round(quiet.reads.requestsPerSecond)} req/s)`,
      met: ratio >= bar,
    });
  }
  const written = rows.filter((r) => r.writer);
  if (written.length > 0) {
    const summaries = written.map((r) => ({ rate: r.rate, ...summariseFreshness(r.writer!.samples) }));
    targets.push({
      description: '#13 mixed: freshness p99 <= 1 s at every W (webhook 2xx until product page and cached listing page both show it)',
      actual: summaries.map((s) => `W=${s.rate}: ${ms(s.p99)} (${s.samples} samples)`).join('; '),
      met: summaries.every((s) => s.samples > 0 && s.p99 <= 1_000),
    });
    const failures = written.map((r) => ({
      rate: r.rate,
      failed: Object.values(r.writer!.failed).reduce((a, b) => a + b, 0),
      sent: r.writer!.scheduled - r.writer!.notSent,
    }));
    targets.push({
      description: '#14 mixed: every webhook answered 2xx beside the reads, at every W',
      actual: failures.map((f) => `W=${f.rate}: ${f.failed} of ${f.sent} not 2xx`).join('; '),
      met: failures.every((f) => f.failed === 0),
    });
  }
  return targets;
}
