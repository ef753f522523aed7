import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Knex } from 'knex';
import { drive, type LoadResult, type LoadSettings } from './load.js';
import type { ReadMix } from './read-mix.js';
import type { RequestPlans } from './request-plans.js';
import { startWebhookWriter, writeWriterInput } from './start-webhook-writer.js';
import type { WebhookWriterResult } from './webhook-writer-result.js';
import { WriteTargets } from './write-targets.js';

export interface MixedSettings {
  readonly rates: readonly number[];
  /**
   * The rates run this many times over, in order (0, 10, 50, 200, 0, 10, ...): each round's rows
   * are compared with that round's W=0, so a spell of load from elsewhere skews one round, not the
   * verdict (the targets take the median of the rounds' ratios).
   */
  readonly rounds: number;
  readonly reads: LoadSettings;
  readonly warmupSeconds: number;
  /**
   * Each row's reads and writer run this long before the measured window (the writer's start and
   * first deliveries, and the caches settling under its stream, are not the steady state).
   */
  readonly leadInSeconds: number;
  readonly targets: number;
  readonly samplesPerSecond: number;
  readonly webhookSecret: string;
  readonly snapshotFile: string;
}

/** One row of the mixed scenario: reads measured while the writer ran at `rate` events/s. */
export interface MixedRow {
  /** 1, 2, ...: the round of the rates this row belongs to. */
  readonly round: number;
  readonly rate: number;
  readonly seconds: number;
  readonly reads: LoadResult;
  /** Responses answered from the cache (HIT or STALE) over all that carried X-Cache. */
  readonly hitRatio: number;
  /** MariaDB `Questions` and `Com_select` per second over the window (server-wide). */
  readonly statementsPerSecond: number;
  readonly selectsPerSecond: number;
  readonly writer?: WebhookWriterResult;
}

export interface MixedOutcome {
  readonly rows: readonly MixedRow[];
  /** Whether CHECKSUM TABLE products after the restore equals its value before the first write. */
  readonly catalogueRestored: boolean;
}

/**
 * Issue 13's mixed scenario: the Zipf read mix at `reads.connections` while a writer process sends
 * signed webhooks at each rate in turn. Writes touch only a fixed sample of products, saved first
 * and restored at the end (see WriteTargets), so the shared catalogue is left as seeded.
 */
export async function runMixed(
  knex: Knex,
  url: string,
  mix: ReadMix,
  plans: RequestPlans,
  settings: MixedSettings,
  log: (message: string) => void,
): Promise<MixedOutcome> {
  const checksumBefore = await checksum(knex);
  const writeTargets = await WriteTargets.choose(knex, settings.snapshotFile, settings.targets, 7);
  const runId = Date.now().toString(36);

  const inputFile = join(tmpdir(), `farmlokal-bench-writer-${runId}.json`);
  const rows: MixedRow[] = [];
  try {
    let versionBase = (await writeTargets.highestVersion()) + 1;
    let targets = writeTargets.targets;
    for (const path of [...mix.paths, ...mix.paths]) await fetch(url + path).then((r) => r.arrayBuffer());
    log(`mixed: warm-up of ${mix.paths.length} URLs`);
    await drive(url, () => mix.next(), { ...settings.reads, durationSeconds: settings.warmupSeconds });
    const schedule = Array.from({ length: settings.rounds }, (_, i) => settings.rates.map((rate) => ({ round: i + 1, rate }))).flat();
    for (const { round, rate } of schedule) {
      await delay(1_000);
      writeWriterInput(inputFile, targets, plans);
      const writer =
        rate > 0
          ? await startWebhookWriter({
              SERVICE_URL: url,
              RATE: String(rate),
              DURATION_S: String(settings.leadInSeconds + settings.reads.durationSeconds),
              SAMPLES_PER_S: String(settings.samplesPerSecond),
              // Event ids (and upserted skus) of their own per round: a repeated id is a duplicate, not a write.
              RUN_ID: `${runId}-${round}`,
              WEBHOOK_SECRET: settings.webhookSecret,
              TARGETS_FILE: inputFile,
              VERSION_BASE: String(versionBase),
            })
          : undefined;
      await drive(url, () => mix.next(), { ...settings.reads, durationSeconds: settings.leadInSeconds });
      const before = await statementCounts(knex);
      const reads = await drive(url, () => mix.next(), settings.reads);
      const after = await statementCounts(knex);
      const written = await writer?.result;
      const seconds = settings.reads.durationSeconds;
      const served = Object.values(reads.xCache).reduce((a, b) => a + b, 0);
      const row: MixedRow = {
        round,
        rate,
        seconds,
        reads,
        hitRatio: ((reads.xCache.HIT ?? 0) + (reads.xCache.STALE ?? 0)) / Math.max(1, served),
        statementsPerSecond: (after.questions - before.questions) / seconds,
        selectsPerSecond: (after.selects - before.selects) / seconds,
        ...(written ? { writer: written } : {}),
      };
      rows.push(row);
      if (written) targets = written.targets.map((t) => ({ ...t }));
      versionBase += 10_000_000;
      log(
        `mixed round ${round}, W=${rate}: ${Math.round(reads.requestsPerSecond)} req/s, p99 ${reads.p99.toFixed(1)} ms, hit ${(row.hitRatio * 100).toFixed(1)}%, ` +
          `${Math.round(row.statementsPerSecond)} statements/s${written ? `, writer ${written.acknowledged}/${written.scheduled} acknowledged, failed ${JSON.stringify(written.failed)}, ${written.samples.length} freshness samples` : ''}`,
      );
    }
  } finally {
    rmSync(inputFile, { force: true });
    await writeTargets.restore();
    log('mixed: written products restored, BENCH- products and bench inbox rows deleted');
  }
  return { rows, catalogueRestored: (await checksum(knex)) === checksumBefore };
}

async function checksum(knex: Knex): Promise<string> {
  const [rows] = (await knex.raw('CHECKSUM TABLE products')) as [{ Checksum: string | number }[]];
  return String(rows[0]?.Checksum);
}

async function statementCounts(knex: Knex) {
  const [rows] = (await knex.raw("SHOW GLOBAL STATUS WHERE Variable_name IN ('Questions', 'Com_select')")) as [
    { Variable_name: string; Value: string }[],
  ];
  const value = (name: string) => Number(rows.find((r) => r.Variable_name === name)?.Value ?? NaN);
  return { questions: value('Questions'), selects: value('Com_select') };
}
