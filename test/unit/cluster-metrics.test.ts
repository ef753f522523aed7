import type { Cluster, Worker } from 'node:cluster';
import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import { pino } from 'pino';
import { Counter, Registry } from 'prom-client';
import sinon from 'sinon';
import { serveClusterMetrics } from '../../src/infrastructure/cluster-metrics.js';

const logger = pino({ level: 'silent' });

interface Answer {
  readonly askId: number;
  readonly snapshot: { contentType: string; body: string } | null;
}

/** A stand-in for node:cluster in the primary, with workers that answer over a fake IPC channel. */
function fakeCluster() {
  const primary = new EventEmitter() as EventEmitter & { workers: Record<number, Worker> };
  primary.workers = {};
  const answers: Answer[] = [];
  let nextId = 1;
  const addWorker = (requests: number, { answers: responsive = true } = {}) => {
    const registry = new Registry();
    new Counter({ name: 'requests_total', help: 'requests', registers: [registry] }).inc(requests);
    const id = nextId++;
    const worker = {
      id,
      process: { pid: 1000 + id },
      isConnected: () => true,
      send(message: { type: string; gatherId?: number; askId?: number }, _handle: unknown, done?: (error: Error | null) => void) {
        done?.(null);
        if (message.type === 'farmlokal:metrics:answer') answers.push(message as unknown as Answer);
        if (message.type === 'farmlokal:metrics:gather' && responsive) {
          void registry.getMetricsAsJSON().then((metrics) => {
            // What crosses the IPC channel is JSON.
            const report = JSON.parse(JSON.stringify({ type: 'farmlokal:metrics:report', gatherId: message.gatherId, metrics }));
            primary.emit('message', worker, report);
          });
        }
        return true;
      },
    } as unknown as Worker;
    primary.workers[id] = worker;
    primary.emit('listening', worker, { address: '127.0.0.1', port: 3000 });
    return worker;
  };
  const ask = (worker: Worker, askId: number) => primary.emit('message', worker, { type: 'farmlokal:metrics:ask', askId });
  return {
    primary: primary as unknown as Cluster,
    addWorker,
    ask,
    answers,
    exit: (worker: Worker) => primary.emit('exit', worker, 0, null),
  };
}

async function answerTo(answers: Answer[], askId: number, advance: () => Promise<unknown> = () => Promise.resolve()) {
  for (let i = 0; i < 100 && !answers.some((a) => a.askId === askId); i += 1) {
    await advance();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const answer = answers.find((a) => a.askId === askId);
  if (!answer) throw new Error(`no answer to ask ${askId}`);
  return answer;
}

describe('serveClusterMetrics', () => {
  afterEach(() => sinon.restore());

  it('serveClusterMetrics, when every listening worker reports, answers the asking worker with the counters summed', async () => {
    const cluster = fakeCluster();
    serveClusterMetrics(logger, {}, cluster.primary);
    const asking = cluster.addWorker(3);
    cluster.addWorker(4);

    cluster.ask(asking, 7);

    const { snapshot } = await answerTo(cluster.answers, 7);
    expect(snapshot?.contentType).to.match(/^text\/plain/);
    expect(snapshot?.body).to.match(/^requests_total 7$/m);
  });

  it('serveClusterMetrics, when a worker does not report before the deadline, answers null rather than a partial sum', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const cluster = fakeCluster();
    serveClusterMetrics(logger, { timeoutMs: 2_000 }, cluster.primary);
    const asking = cluster.addWorker(3);
    cluster.addWorker(4, { answers: false });

    cluster.ask(asking, 1);

    const answer = await answerTo(cluster.answers, 1, () => clock.tickAsync(100));
    expect(answer.snapshot).to.equal(null);
  });

  it('serveClusterMetrics, when a worker exits before reporting, answers with the workers that remain', async () => {
    const cluster = fakeCluster();
    serveClusterMetrics(logger, {}, cluster.primary);
    const asking = cluster.addWorker(3);
    const leaving = cluster.addWorker(4, { answers: false });

    cluster.ask(asking, 2);
    cluster.exit(leaving);

    const { snapshot } = await answerTo(cluster.answers, 2);
    expect(snapshot?.body).to.match(/^requests_total 3$/m);
  });

  it('serveClusterMetrics, when a worker forked but not yet listening exists, does not wait for it', async () => {
    const cluster = fakeCluster();
    serveClusterMetrics(logger, {}, cluster.primary);
    const asking = cluster.addWorker(5);
    const starting = { id: 99, process: { pid: 99 }, isConnected: () => true, send: () => true } as unknown as Worker;
    (cluster.primary.workers as Record<number, Worker>)[99] = starting;

    cluster.ask(asking, 3);

    const { snapshot } = await answerTo(cluster.answers, 3);
    expect(snapshot?.body).to.match(/^requests_total 5$/m);
  });
});
