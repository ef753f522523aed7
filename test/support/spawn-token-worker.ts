import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface WorkerEvent {
  readonly event: string;
  readonly at?: number;
  readonly [key: string]: unknown;
}

export interface TokenWorker {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves with the next event of this kind (or one already received and not yet taken). */
  next(event: string, timeoutMs?: number): Promise<WorkerEvent>;
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
  const waiting: { event: string; resolve: (e: WorkerEvent) => void }[] = [];
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
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  return {
    child,
    next(event, timeoutMs = 20_000) {
      const index = received.findIndex((e) => e.event === event);
      if (index >= 0) return Promise.resolve(received.splice(index, 1)[0]);
      return new Promise<WorkerEvent>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`worker ${child.pid} sent no "${event}" within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`)),
          timeoutMs,
        );
        waiting.push({ event, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
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
