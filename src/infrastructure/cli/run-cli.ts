import { ConfigError } from '../config-error.js';
import { explainFailure } from '../explain-failure.js';
import type { Config } from '../load-config.js';
import { loadConfigOrExit } from '../load-config-or-exit.js';

/** A refusal whose message already says what to do (bad arguments, a catalogue that is not empty). */
export class CliRefusal extends Error {
  override readonly name = 'CliRefusal';
}

/**
 * The frame of every CLI: .env, then the configuration (every bad key named, nothing heavy loaded
 * yet: `work` imports what it needs), then `work`. A failure is one line on stderr saying what
 * failed and what to do (explainFailure), never a stack trace, and exit code 1.
 */
export async function runCli(name: string, work: (config: Config) => Promise<void>): Promise<void> {
  const config = loadConfigOrExit();
  try {
    await work(config);
  } catch (error) {
    if (error instanceof CliRefusal || error instanceof ConfigError) console.error(`${name}: ${error.message}`);
    else console.error(`${name} failed: ${explainFailure(error, config)}`);
    process.exitCode = 1;
  }
}
