import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CATEGORY_SLUGS } from '../src/infrastructure/seed/catalog-generator.js';
import type { RequestPlans } from './request-plans.js';
import type { WebhookWriterResult } from './webhook-writer-result.js';
import type { WriteTarget } from './write-targets.js';

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

/**
 * Writes the writer's input (its TARGETS_FILE): the products it may change, each with a cached
 * listing page that holds it (newest first, from a signed cursor just before it), and the categories.
 */
export function writeWriterInput(file: string, targets: readonly WriteTarget[], plans: RequestPlans): void {
  const withListing = targets.map((t) => ({
    ...t,
    listingPath: plans.servicePath({
      sort: 'createdAt',
      order: 'desc',
      category: t.category,
      position: { value: t.createdAt, id: t.id + 1 },
    }),
  }));
  writeFileSync(file, JSON.stringify({ targets: withListing, categories: CATEGORY_SLUGS }));
}
