import { summariseFreshness } from './freshness.js';
import { median } from './median.js';
import type { MixedRow } from './mixed-scenario.js';
import type { Target } from './report.js';

const ms = (n: number) => (n === Infinity ? 'not seen' : Number.isFinite(n) ? `${Math.round(n)} ms` : 'n/a');

/** The row's read throughput against its own round's W=0 row, or undefined when that round has none. */
export function quietRatio(rows: readonly MixedRow[], row: MixedRow): number | undefined {
  const quiet = rows.find((r) => r.round === row.round && r.rate === 0);
  return quiet ? row.reads.requestsPerSecond / quiet.reads.requestsPerSecond : undefined;
}

/**
 * Issue 13's targets for the mixed scenario. Throughput is judged on the median over the rounds
 * of each round's ratio to its own W=0 row; the hit ratio in every round; freshness over the
 * samples of every round together; webhook answers over all of them.
 */
export function mixedTargets(rows: readonly MixedRow[]): Target[] {
  const at = (rate: number) => rows.filter((r) => r.rate === rate);
  const targets: Target[] = [];
  const w50 = at(50);
  if (w50.length > 0) {
    const worst = Math.min(...w50.map((r) => r.hitRatio));
    targets.push({
      description: '#13 mixed, 50 events/s: hit ratio >= 0.9 (every round)',
      actual: w50.map((r) => r.hitRatio.toFixed(3)).join(', '),
      met: worst >= 0.9,
    });
  }
  for (const [rate, bar] of [
    [50, 0.7],
    [200, 0.5],
  ] as const) {
    const measured = at(rate).flatMap((row) => {
      const ratio = quietRatio(rows, row);
      return ratio === undefined ? [] : [{ row, ratio }];
    });
    if (measured.length === 0) continue;
    const middle = median(measured.map((m) => m.ratio));
    const rounds = measured.map(({ row, ratio }) => `${ratio.toFixed(2)}x (${Math.round(row.reads.requestsPerSecond)} req/s)`).join(', ');
    targets.push({
      description: `#13 mixed, ${rate} events/s: read throughput >= ${bar}x its round's W=0 value (median of the rounds)`,
      actual: `median ${middle.toFixed(2)}x (rounds: ${rounds})`,
      met: middle >= bar,
    });
  }
  const rates = [...new Set(rows.filter((r) => r.writer).map((r) => r.rate))];
  if (rates.length > 0) {
    const writers = (rate: number) => at(rate).flatMap((r) => (r.writer ? [r.writer] : []));
    const summaries = rates.map((rate) => ({ rate, ...summariseFreshness(writers(rate).flatMap((w) => w.samples)) }));
    targets.push({
      description: '#13 mixed: freshness p99 <= 1 s at every W (webhook 2xx until product page and cached listing page both show it)',
      actual: summaries.map((s) => `W=${s.rate}: ${ms(s.p99)} (${s.samples} samples)`).join('; '),
      met: summaries.every((s) => s.samples > 0 && s.p99 <= 1_000),
    });
    const failures = rates.map((rate) => ({
      rate,
      failed: writers(rate).reduce((sum, w) => sum + Object.values(w.failed).reduce((a, b) => a + b, 0), 0),
      sent: writers(rate).reduce((sum, w) => sum + w.scheduled - w.notSent, 0),
    }));
    targets.push({
      description: '#14 mixed: every webhook answered 2xx beside the reads, at every W',
      actual: failures.map((f) => `W=${f.rate}: ${f.failed} of ${f.sent} not 2xx`).join('; '),
      met: failures.every((f) => f.failed === 0),
    });
  }
  return targets;
}
