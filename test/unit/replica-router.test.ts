import { expect } from 'chai';
import type { Knex } from 'knex';
import { Registry } from 'prom-client';
import { ReplicaRouter } from '../../src/adapters/persistence/replica-router.js';

/** A Knex stand-in answering raw statements by their text, with a pool that is full or not. */
function fakeKnex(answer: (sql: string) => unknown, pool = { used: 0, max: 4 }): Knex {
  return {
    raw: async (sql: string) => answer(sql),
    client: { pool: { numUsed: () => pool.used, max: pool.max } },
  } as unknown as Knex;
}

function knexTimeout() {
  return Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' });
}

const inStep = [[{ Slave_SQL_Running: 'Yes', Slave_IO_Running: 'Yes', Seconds_Behind_Master: 0 }]];
const primary = fakeKnex((sql) => (sql.includes('log_bin') ? [[{ logBin: 1 }]] : [[{ position: '0-1-100' }]]));

async function routedReasons(registry: Registry) {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'database_replica_reads_total');
  return Object.fromEntries((metric?.values ?? []).map((v) => [`${v.labels.target}:${v.labels.reason}`, v.value]));
}

/**
 * A started router over one replica whose GTID wait fails with `failure()` for the first read
 * (then succeeds): where two reads in a row went, and the routing counts by "target:reason".
 */
async function routeTwice(failure: () => Error, pool?: { used: number; max: number }) {
  let failing = true;
  const replica = fakeKnex((sql) => {
    if (sql.startsWith('SHOW REPLICA STATUS')) return inStep;
    if (failing) throw failure();
    return [[{ waited: 0 }]];
  }, pool);
  const registry = new Registry();
  const router = new ReplicaRouter(
    primary,
    [{ name: 'r1', knex: replica }],
    { maxLagSeconds: 5, waitSeconds: 0.1, probeMs: 60_000 },
    registry,
  );
  await router.start();
  try {
    const first = await router.choose();
    failing = false;
    const second = await router.choose();
    return { first: first?.name ?? 'primary', second: second?.name ?? 'primary', reasons: await routedReasons(registry) };
  } finally {
    router.stop();
  }
}

describe('ReplicaRouter', () => {
  it('ReplicaRouter, when the replica has no free connection for its position wait, sends the read to the primary as "replica busy" and keeps the replica in rotation', async () => {
    const routed = await routeTwice(knexTimeout, { used: 4, max: 4 });
    expect(routed).to.deep.equal({ first: 'primary', second: 'r1', reasons: { 'primary:replica busy': 1, 'replica:': 1 } });
  });

  it('ReplicaRouter, when the position wait fails otherwise, takes the replica out of rotation until the next probe', async () => {
    const routed = await routeTwice(() => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(routed).to.deep.equal({
      first: 'primary',
      second: 'primary',
      reasons: { 'primary:replica unreachable': 1, 'primary:no replica in step': 1 },
    });
  });
});
