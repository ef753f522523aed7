import { spawn, type ChildProcess } from 'node:child_process';

export interface ServiceProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Everything the process wrote so far, for failure messages. */
  output(): string;
  /** SIGKILL: no drain, no cleanup, connections dropped mid-request. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
}

/**
 * The real service (src/infrastructure/main.ts) in a child process, on a free port it picks itself
 * (PORT=0; the address is read from its "listening" log line). `env` is added to this process's.
 * Waits for that line or the process's exit, with no timer of its own: start-up on a loaded machine
 * is slow, not broken, and the calling test's timeout bounds the wait.
 */
export async function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/infrastructure/main.ts'], {
    // A cursor secret of its own: outside development (DATABASE_URL) the published default is refused.
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      WORKERS: '1',
      CURSOR_SECRET: 'service-process-test-cursor-secret',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let head = '';
  let url: string | undefined;
  const keep = (chunk: Buffer) => {
    // Keep the start of the log (start-up problems) and the last lines, not every access line.
    head = head.length < 64_000 ? head + chunk.toString() : head.slice(0, 32_000) + head.slice(-32_000) + chunk.toString();
    url ??= /"url":"(http:\/\/[^"]+)","msg":"listening"/.exec(head)?.[1];
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  while (!url && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  if (!url) {
    child.kill('SIGKILL');
    throw new Error(`the service process did not start listening:\n${head}`);
  }
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return { url, child, output: () => head, kill: () => signal('SIGKILL'), stop: () => signal('SIGTERM') };
}
