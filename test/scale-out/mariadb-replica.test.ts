import { expect } from 'chai';
import knexFactory, { type Knex } from 'knex';
import { describeWith } from '../support/backends.js';
import { MariaDbReplication } from '../support/scale-out.js';

const connect = (serverUrl: string, database?: string): Knex => {
  const url = new URL(serverUrl);
  return knexFactory({
    client: 'mysql2',
    connection: { host: url.hostname, port: Number(url.port), user: url.username, ...(database ? { database } : {}) },
    pool: { min: 0, max: 2 },
  });
};

describeWith(['scale-out'], 'tools/scale-out MariaDB primary + GTID replica', function () {
  this.timeout(60_000);
  let replication: MariaDbReplication;
  let primary: Knex;
  let replica: Knex;
  let replicaAdmin: Knex;

  before(async () => {
    replication = await MariaDbReplication.start();
    primary = connect(replication.primaryServerUrl);
    await primary.raw('CREATE DATABASE farmlokal_replica_test');
    await primary.raw('CREATE TABLE farmlokal_replica_test.t (id INT PRIMARY KEY, v INT NOT NULL)');
    replica = connect(replication.replicaServerUrl, 'farmlokal_replica_test');
    replicaAdmin = connect(replication.replicaAdminUrl);
  });

  after(async () => {
    await Promise.all([primary, replica, replicaAdmin].filter(Boolean).map((knex) => knex.destroy()));
    await replication?.stop();
  });

  const primaryPosition = async () => ((await primary.raw('SELECT @@gtid_binlog_pos AS pos')) as [{ pos: string }[]])[0][0].pos;
  const waitOnReplica = async (position: string, seconds: number) =>
    Number(((await replica.raw('SELECT MASTER_GTID_WAIT(?, ?) AS waited', [position, seconds])) as [{ waited: number }[]])[0][0].waited);
  const valueOnReplica = async (id: number) => ((await replica('t').where({ id }).first()) as { v: number } | undefined)?.v;

  it('the replica, for a read-only login, refuses a write and a CREATE DATABASE', async () => {
    await expect(replica('t').insert({ id: 99, v: 1 })).to.be.rejectedWith(/read-only|denied/);
    await expect(replica.raw('CREATE DATABASE IF NOT EXISTS farmlokal_other')).to.be.rejectedWith(/read-only|denied/);
  });

  it('MASTER_GTID_WAIT on the replica, given the primary position after a commit, returns 0 and the replica then shows the write', async () => {
    await primary('farmlokal_replica_test.t').insert({ id: 1, v: 10 });
    expect(await waitOnReplica(await primaryPosition(), 1)).to.equal(0);
    expect(await valueOnReplica(1)).to.equal(10);
  });

  it('MASTER_GTID_WAIT, while the replica SQL thread is stopped, times out (-1) and the replica still shows the old row', async () => {
    await replicaAdmin.raw('STOP REPLICA SQL_THREAD');
    try {
      await primary('farmlokal_replica_test.t').where({ id: 1 }).update({ v: 11 });
      expect(await waitOnReplica(await primaryPosition(), 0.1)).to.equal(-1);
      expect(await valueOnReplica(1)).to.equal(10);
    } finally {
      await replicaAdmin.raw('START REPLICA SQL_THREAD');
    }
    expect(await waitOnReplica(await primaryPosition(), 5)).to.equal(0);
    expect(await valueOnReplica(1)).to.equal(11);
  });
});
