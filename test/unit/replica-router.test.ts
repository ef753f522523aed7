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

describe('ReplicaRouter', () => {
  it('ReplicaRouter, when the replica has no free connection for its position wait, sends the read to the primary as "replica busy" and keeps the replica in rotation', async () => {
    let busy = true;
    const replica = fakeKnex(
      (sql) => {
        if (sql.startsWith('SHOW REPLICA STATUS')) return inStep;
        if (busy) throw knexTimeout();
        return [[{ waited: 0 }]];
      },
      { used: 4, max: 4 },
    );
    const registry = new Registry();
    const router = new ReplicaRouter(
      primary,
      [{ name: 'r1', knex: replica }],
      { maxLagSeconds: 5, waitSeconds: 0.1, probeMs: 60_000 },
      registry,
    );
    await router.start();
    try {
      expect(await router.choose()).to.equal(null);
      busy = false;
      expect((await router.choose())?.name).to.equal('r1');
      expect(await routedReasons(registry)).to.deep.equal({ 'primary:replica busy': 1, 'replica:': 1 });
    } finally {
      router.stop();
    }
  });

  it('ReplicaRouter, when the position wait fails otherwise, takes the replica out of rotation until the next probe', async () => {
    let failing = true;
    const replica = fakeKnex((sql) => {
      if (sql.startsWith('SHOW REPLICA STATUS')) return inStep;
      if (failing) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      return [[{ waited: 0 }]];
    });
    const registry = new Registry();
    const router = new ReplicaRouter(
      primary,
      [{ name: 'r1', knex: replica }],
      { maxLagSeconds: 5, waitSeconds: 0.1, probeMs: 60_000 },
      registry,
    );
    await router.start();
    try {
      expect(await router.choose()).to.equal(null);
      failing = false;
      expect(await router.choose()).to.equal(null);
      expect(await routedReasons(registry)).to.deep.equal({ 'primary:replica unreachable': 1, 'primary:no replica in step': 1 });
    } finally {
      router.stop();
    }
  });
});
