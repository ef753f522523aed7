import cluster, { type Cluster, type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';
import type { MetricsSnapshot } from '../adapters/http/routes/metrics-routes.js';

// Both ends of one private protocol live in this file: serveClusterMetrics runs in the primary,
// clusterMetricsSource in every worker. prom-client's own clusterMetrics() is not used because its
// 5 s deadline is fixed and it gives up on every worker when one is late.

type WorkerMetrics = MetricObjectWithValues<MetricValue<string>>[];

type Message =
  /** worker to primary: the cluster-wide metrics, please. */
  | { readonly type: 'farmlokal:metrics:ask'; readonly askId: number }
  /** primary to each worker: your own metrics. */
  | { readonly type: 'farmlokal:metrics:gather'; readonly gatherId: number }
  /** worker to primary; null when its registry failed to collect. */
  | { readonly type: 'farmlokal:metrics:report'; readonly gatherId: number; readonly metrics: WorkerMetrics | null }
  /** primary to the asking worker; null when not every worker reported in time. */
  | { readonly type: 'farmlokal:metrics:answer'; readonly askId: number; readonly snapshot: MetricsSnapshot | null };

export interface ClusterMetricsOptions {
  /** How long the primary waits for every worker's report. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 2_000;

/**
 * In the primary: answers each worker's ask with every listening worker's registry summed the way
 * prom-client's AggregatorRegistry sums them, or with null once a worker is late past the deadline
 * (a partial sum would read as counter resets). A worker that exits while being asked is left out.
 */
export function serveClusterMetrics(
  logger: Logger,
  { timeoutMs = DEFAULT_TIMEOUT_MS }: ClusterMetricsOptions = {},
  primary: Cluster = cluster,
): void {
  // Only workers that listen: one still starting has served nothing and cannot answer yet.
  const listening = new Set<Worker>();
  const gathers = new Map<number, { report(worker: Worker, metrics: WorkerMetrics | null): void; forget(worker: Worker): void }>();
  let nextGatherId = 0;

  const gather = () =>
    new Promise<WorkerMetrics[] | null>((resolve) => {
      const gatherId = nextGatherId++;
      const waiting = new Set([...listening].filter((worker) => worker.isConnected()));
      const reports: WorkerMetrics[] = [];
      const finish = (result: WorkerMetrics[] | null) => {
        clearTimeout(deadline);
        gathers.delete(gatherId);
        resolve(result);
      };
      const deadline = setTimeout(() => {
        logger.warn({ pids: [...waiting].map((w) => w.process.pid), timeoutMs }, 'metrics: workers did not report in time');
        finish(null);
      }, timeoutMs);
      const forget = (worker: Worker) => {
        if (waiting.delete(worker) && waiting.size === 0) finish(reports);
      };
      gathers.set(gatherId, {
        report(worker, metrics) {
          if (!waiting.has(worker)) return;
          if (!metrics) {
            logger.warn({ pid: worker.process.pid }, 'metrics: a worker failed to collect its metrics');
            finish(null);
            return;
          }
          reports.push(metrics);
          forget(worker);
        },
        forget,
      });
      if (waiting.size === 0) finish(reports);
      for (const worker of waiting) send(worker, { type: 'farmlokal:metrics:gather', gatherId }, () => forget(worker));
    });

  const aggregate = async (): Promise<MetricsSnapshot | null> => {
    const reports = await gather();
    if (!reports) return null;
    const registry = AggregatorRegistry.aggregate(reports);
    return { contentType: registry.contentType, body: await registry.metrics() };
  };

  primary.on('listening', (worker) => listening.add(worker));
  primary.on('exit', (worker) => {
    listening.delete(worker);
    for (const pending of gathers.values()) pending.forget(worker);
  });
  primary.on('message', (worker, message: Message) => {
    if (message?.type === 'farmlokal:metrics:report') {
      gathers.get(message.gatherId)?.report(worker, message.metrics);
    } else if (message?.type === 'farmlokal:metrics:ask') {
      // Answered when ready; an aggregation failure is logged and answered with null, and send reports its own failures.
      void aggregate()
        .catch((error: unknown) => {
          logger.error({ err: error }, 'metrics: aggregating the workers failed');
          return null;
        })
        .then((snapshot) => send(worker, { type: 'farmlokal:metrics:answer', askId: message.askId, snapshot }));
    }
  });
}

/**
 * In a worker: reports this worker's registry when the primary gathers, and returns what /metrics
 * serves: the primary's cluster-wide aggregate, or null when it has none in time.
 */
export function clusterMetricsSource(
  registry: Registry,
  { timeoutMs = DEFAULT_TIMEOUT_MS }: ClusterMetricsOptions = {},
): () => Promise<MetricsSnapshot | null> {
  const asks = new Map<number, (snapshot: MetricsSnapshot | null) => void>();
  let nextAskId = 0;

  process.on('message', (message: Message) => {
    if (message?.type === 'farmlokal:metrics:gather') {
      registry.getMetricsAsJSON().then(
        (metrics) => sendToPrimary({ type: 'farmlokal:metrics:report', gatherId: message.gatherId, metrics }),
        () => sendToPrimary({ type: 'farmlokal:metrics:report', gatherId: message.gatherId, metrics: null }),
      );
    } else if (message?.type === 'farmlokal:metrics:answer') {
      asks.get(message.askId)?.(message.snapshot);
    }
  });

  return () =>
    new Promise((resolve) => {
      const askId = nextAskId++;
      const finish = (snapshot: MetricsSnapshot | null) => {
        clearTimeout(backstop);
        asks.delete(askId);
        resolve(snapshot);
      };
      // The primary's deadline normally decides first; this one covers a primary that never answers.
      const backstop = setTimeout(() => finish(null), timeoutMs + 1_000);
      asks.set(askId, finish);
      sendToPrimary({ type: 'farmlokal:metrics:ask', askId }, () => finish(null));
    });
}

function send(worker: Worker, message: Message, onFailure: () => void = () => undefined) {
  if (!worker.isConnected()) return onFailure();
  worker.send(message, undefined, (error) => error && onFailure());
}

function sendToPrimary(message: Message, onFailure: () => void = () => undefined) {
  if (!process.send || !process.connected) return onFailure();
  process.send(message, undefined, {}, (error) => error && onFailure());
}
