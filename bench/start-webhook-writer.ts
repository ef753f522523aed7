import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { WebhookWriterResult } from './webhook-writer-result.js';

const WRITER = fileURLToPath(new URL('./webhook-writer.ts', import.meta.url));

/**
 * Starts bench/webhook-writer.ts in a process of its own with `env` (see its header for the
 * variables); resolves once it is about to send, with its result to come.
 */
export async function startWebhookWriter(env: Record<string, string>): Promise<{ result: Promise<WebhookWriterResult> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let signalReady: () => void;
  const ready = new Promise<void>((resolve) => (signalReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.startsWith('ready\n')) signalReady();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const exited = once(child, 'exit').then(([code]) => {
    const line = stdout.trim().split('\n').at(-1);
    if (code !== 0 || !line || line === 'ready') throw new Error(`the webhook writer exited with ${code}:\n${stderr}`);
    return JSON.parse(line) as WebhookWriterResult;
  });
  await Promise.race([ready, exited]);
  return { result: exited };
}
