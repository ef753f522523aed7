import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface WorkerEvent {
  readonly event: string;
  readonly at?: number;
  readonly [key: string]: unknown;
}

export interface TokenWorker {
  readonly child: ChildProcessWithoutNullStreams;
  /**
   * Resolves with the next event of this kind (or one already received and not yet taken); rejects
   * when the worker exits first. No timer of its own: a slow start on a loaded machine is not a
   * failure, and mocha's test timeout bounds the wait.
   */
  next(event: string): Promise<WorkerEvent>;
  /** True when an event of this kind arrived and was not taken yet. */
  has(event: string): boolean;
  go(): void;
  stop(): Promise<void>;
}

const WORKER = new URL('./token-worker.ts', import.meta.url).pathname;

/** Starts test/support/token-worker.ts as a real child process (node + tsx). */
export function spawnTokenWorker(env: Record<string, string>): TokenWorker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const received: WorkerEvent[] = [];
  const waiting: { event: string; resolve: (e: WorkerEvent) => void; reject: (error: Error) => void }[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    let parsed: WorkerEvent;
    try {
      parsed = JSON.parse(line) as WorkerEvent;
    } catch {
      return;
    }
    const index = waiting.findIndex((w) => w.event === parsed.event);
    if (index >= 0) waiting.splice(index, 1)[0].resolve(parsed);
    else received.push(parsed);
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      const error = new Error(`worker ${child.pid} exited (${signal ?? code}) before its events; stderr: ${stderr.slice(-2000)}`);
      for (const waiter of waiting.splice(0)) waiter.reject(error);
      resolve();
    }),
  );

  return {
    child,
    next(event) {
      const index = received.findIndex((e) => e.event === event);
      if (index >= 0) return Promise.resolve(received.splice(index, 1)[0]);
      if (child.exitCode !== null || child.signalCode !== null) {
        return Promise.reject(new Error(`worker ${child.pid} has exited; stderr: ${stderr.slice(-2000)}`));
      }
      return new Promise<WorkerEvent>((resolve, reject) => waiting.push({ event, resolve, reject }));
    },
    has(event) {
      return received.some((e) => e.event === event);
    },
    go() {
      child.stdin.write('go\n');
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
