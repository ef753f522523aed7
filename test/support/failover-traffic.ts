import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'chai';
import { TokenUnavailableError } from '../../src/domain/errors/token-unavailable-error.js';
import { productHistory } from '../../tools/mock-partner/partner-event-wire.js';
import { webhookHeaders } from '../../tools/mock-partner/sign-webhook.js';
import type { TestService } from './test-service.js';
import type { TokenFleet, TokenRound } from './token-fleet.js';

export interface FailoverTraffic {
  /** The service, its event claims and catalogue cache on the topology under test. */
  readonly service: TestService;
  readonly webhookSecret: string;
  /** Products whose histories (5 events each) are delivered twice, in random order, across the run. */
  readonly skus: readonly string[];
  /** A fleet whose token keys live on the primary `kill` kills: its probe tells when they are served again. */
  readonly tokens: TokenFleet;
  /** Kills the primary (SIGKILL); called while the first round's requests are in flight. */
  kill(): Promise<void>;
}

export interface FailoverReport {
  /** From the kill to the first round in which the token keys' slot answered again. */
  readonly recoveredAfterMs: number;
  /** Rounds run while the primary was gone (including the one the kill hit). */
  readonly windowRounds: number;
  /** The longest round (a webhook, a listing and the fleet's token calls in parallel). */
  readonly slowestRoundMs: number;
  readonly statuses: Readonly<Record<number, number>>;
  readonly token: {
    readonly calls: number;
    readonly failed: number;
    readonly fetches: number;
    readonly fetchesInWindow: number;
    readonly mostInARound: number;
  };
  /** One line for the test's output. */
  readonly summary: string;
}

const EVENTS_PER_SKU = 5;
const DELIVERIES_PER_ROUND = 2;
const ROUNDS_AFTER_RECOVERY = 3;
const KILL_INTO_ROUND_MS = 20;
const DEADLINE_MS = 45_000;

/**
 * Runs rounds of mixed traffic (webhook deliveries, a listing, a token generation across the fleet)
 * before, through and after a primary's kill, until every delivery is acknowledged and a few rounds
 * have run after recovery, and asserts what must hold on every topology: no 5xx, every event applied
 * once, every token call answered with a token or a TokenUnavailableError, at most one token fetch
 * per instance in a round (never one per call), exactly one shared fetch in each round before the kill
 * and after recovery, and the token calls did meet the outage. Returns the figures to report.
 */
export async function proveFailover(traffic: FailoverTraffic): Promise<FailoverReport> {
  const { service, tokens } = traffic;
  const events = traffic.skus.flatMap((sku) => productHistory(sku, EVENTS_PER_SKU));
  let pending = [...events, ...events].sort(() => Math.random() - 0.5);
  const statuses: Record<number, number> = {};
  const count = (status: number) => (statuses[status] = (statuses[status] ?? 0) + 1);
  const rounds: { phase: 'before' | 'window' | 'after'; tokens: TokenRound }[] = [];

  const deliver = async (event: (typeof events)[number]) => {
    const body = JSON.stringify(event);
    const response = await fetch(`${service.url}/api/webhooks/partner`, {
      method: 'POST',
      headers: webhookHeaders([traffic.webhookSecret], body),
      body,
    });
    await response.arrayBuffer();
    count(response.status);
    // Not acknowledged (e.g. 409 while another holds the event): sent again, as the partner would.
    return response.status === 200;
  };
  const list = async () => {
    const response = await fetch(`${service.url}/api/products?limit=5`);
    await response.arrayBuffer();
    count(response.status);
  };
  /** One round's traffic, and `alongside` (the kill) at the same time; `ms` is the traffic's time only. */
  const round = async (alongside?: () => Promise<void>) => {
    const batch = pending.slice(0, DELIVERIES_PER_ROUND);
    const started = Date.now();
    const traffic = Promise.all([Promise.all(batch.map(deliver)), tokens.round(), list()]).then(([acknowledged, tokenRound]) => ({
      acknowledged,
      tokenRound,
      ms: Date.now() - started,
    }));
    const [{ acknowledged, tokenRound, ms }] = await Promise.all([traffic, alongside?.()]);
    pending = [...pending.slice(batch.length), ...batch.filter((_, i) => !acknowledged[i])];
    return { tokenRound, ms };
  };

  expect(await tokens.probe(), 'the token keys are served before the kill').to.equal(true);
  rounds.push({ phase: 'before', tokens: (await round()).tokenRound });

  let killedAt = 0;
  const hit = await round(async () => {
    await delay(KILL_INTO_ROUND_MS);
    killedAt = Date.now();
    await traffic.kill();
  });
  rounds.push({ phase: 'window', tokens: hit.tokenRound });
  let slowestRoundMs = hit.ms;
  let recoveredAt: number | undefined;
  let afterRecovery = 0;
  while ((pending.length > 0 || afterRecovery < ROUNDS_AFTER_RECOVERY) && Date.now() - killedAt < DEADLINE_MS) {
    const served = await tokens.probe();
    if (served) recoveredAt ??= Date.now();
    const { tokenRound, ms } = await round();
    rounds.push({ phase: recoveredAt === undefined ? 'window' : 'after', tokens: tokenRound });
    if (recoveredAt === undefined) slowestRoundMs = Math.max(slowestRoundMs, ms);
    else afterRecovery += 1;
    await delay(50);
  }

  expect(recoveredAt, 'the token keys are served again after the promotion').to.not.equal(undefined);
  expect(pending, 'every delivery acknowledged').to.have.length(0);
  expect(
    Object.keys(statuses).filter((status) => Number(status) >= 500),
    JSON.stringify(statuses),
  ).to.deep.equal([]);
  const inbox = await service.knex('partner_event_inbox').count({ n: '*' }).whereIn('sku', traffic.skus).first();
  expect(Number(inbox?.n), 'each event applied once').to.equal(events.length);
  const versions = await service.knex('products').whereIn('sku', traffic.skus).pluck('version');
  expect(versions).to.deep.equal(traffic.skus.map(() => EVENTS_PER_SKU));

  const window = rounds.filter((r) => r.phase === 'window').map((r) => r.tokens);
  const calm = rounds.filter((r) => r.phase !== 'window').map((r) => r.tokens);
  const all = rounds.map((r) => r.tokens);
  for (const r of all) {
    for (const error of r.errors) expect(error, error.message).to.be.instanceOf(TokenUnavailableError);
    expect(r.fetches, 'at most one token fetch per instance in a round').to.be.at.most(tokens.instances);
  }
  expect(
    window.reduce((sum, r) => sum + r.sharedCacheFailures, 0),
    'the token calls met the outage',
  ).to.be.above(0);
  expect(
    calm.map((r) => r.fetches),
    'one shared fetch per generation while the primary serves',
  ).to.deep.equal(calm.map(() => 1));
  expect(calm.map((r) => new Set(r.tokens).size)).to.deep.equal(calm.map(() => 1));
  expect(calm.flatMap((r) => r.errors.map((error) => error.message))).to.deep.equal([]);

  const token = {
    calls: all.length * tokens.callsPerRound,
    failed: all.reduce((sum, r) => sum + r.errors.length, 0),
    fetches: all.reduce((sum, r) => sum + r.fetches, 0),
    fetchesInWindow: window.reduce((sum, r) => sum + r.fetches, 0),
    mostInARound: Math.max(...all.map((r) => r.fetches)),
  };
  const recoveredAfterMs = recoveredAt! - killedAt;
  return {
    recoveredAfterMs,
    windowRounds: window.length,
    slowestRoundMs,
    statuses,
    token,
    summary:
      `served again ${recoveredAfterMs} ms after the kill (${window.length} rounds in the window, slowest ${slowestRoundMs} ms); ` +
      `HTTP ${JSON.stringify(statuses)}; token calls ${token.calls}, failed ${token.failed}, ` +
      `endpoint fetches ${token.fetches} over ${all.length} generations (${token.fetchesInWindow} in ${window.length} window rounds, ` +
      `at most ${token.mostInARound} a round, ${tokens.instances} instances x ${tokens.callsPerInstance} calls)`,
  };
}
