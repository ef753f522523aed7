import { createWriteStream } from 'node:fs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export interface RunningProcess {
  readonly url: string;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 60_000;

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts a TypeScript entry point in its own Node process (workers forked by it share its port)
 * and resolves once `readyPath` has answered 200 several times in a row, so every worker is up.
 */
export async function startProcess(name: string, entry: string, env: Record<string, string>, readyPath: string): Promise<RunningProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // BENCH_CPU_PROF_DIR: every process started here writes a V8 CPU profile there when it exits.
  const profile = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', entry], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  // BENCH_SERVICE_LOG: every process started here appends its whole output there (for diagnosis).
  if (process.env.BENCH_SERVICE_LOG) {
    const log = createWriteStream(process.env.BENCH_SERVICE_LOG, { flags: 'a' });
    child.stdout.pipe(log);
  }
  const exited = once(child, 'exit');
  let stopping = false;
  // A process that dies during a run says so, with its last output, rather than as refused connections.
  void exited.then(([code, signal]) => {
    if (!stopping) console.error(`[bench] ${name} exited unexpectedly (code ${code}, signal ${signal}):\n${output}`);
  });
  const stop = async () => {
    stopping = true;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await Promise.race([exited, delay(15_000).then(() => child.kill('SIGKILL'))]);
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (let answered = 0; answered < 20;) {
    if (child.exitCode !== null) throw new Error(`${name} exited during start-up:\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} did not answer ${readyPath} within ${START_TIMEOUT_MS} ms:\n${output}`);
    }
    const ok = await fetch(url + readyPath).then(
      (r) => r.ok,
      () => false,
    );
    answered = ok ? answered + 1 : 0;
    await delay(ok ? 50 : 250);
  }
  return { url, stop };
}
