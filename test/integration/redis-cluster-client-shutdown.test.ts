import { expect } from 'chai';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { createCluster, type RedisClusterType } from 'redis';
import { RedisClusterClient } from '../../src/adapters/redis/redis-cluster-client.js';
import { FakeClusterNode } from '../support/fake-cluster-node.js';

describe('RedisClusterClient, destroyed during a slot-map re-read', function () {
  let node: FakeClusterNode;
  let cluster: RedisClusterType;

  beforeEach(async () => {
    // Slots 100.. have no primary, so the client re-reads the map every interval (10 ms here).
    node = await FakeClusterNode.start(99);
    cluster = createCluster({
      rootNodes: [{ url: node.url }],
      defaults: { disableOfflineQueue: true, socket: { connectTimeout: 2_000, reconnectStrategy: () => 50 } },
    });
    cluster.on('error', () => undefined);
  });

  afterEach(async () => {
    for (const { client } of cluster._slots.nodeByAddress.values()) if (client?.isOpen) client.destroy();
    await node.stop();
  });

  it('destroy, when the map arrives afterwards naming a node that is gone, leaves no connection to it retrying', async () => {
    const client = new RedisClusterClient(cluster, [node.url], () => expect.fail('no subscriber in this test'), 10, 1_000);
    await client.connect();
    const held = await node.holdNextSlotsRequest();
    client.destroy();
    // The answer comes late, with an old map: a node long dead, as a frozen node resumed for its
    // shutdown answers. node-redis still connects the nodes it lists, though the cluster is closed.
    const gone = await closedPort();
    held.answer(gone, 99);
    const connectionTo = () => cluster._slots.nodeByAddress.get(`127.0.0.1:${gone}`)?.client;
    await until(() => connectionTo() !== undefined, 'node-redis connects the node the late map names');
    await until(() => connectionTo()?.isOpen === false, 'the connection to the gone node is closed, not retrying forever');
  });
});

/** A port nothing listens on (connections to it are refused). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not so after ${timeoutMs} ms: ${what}`);
    await delay(10);
  }
}
