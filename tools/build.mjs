// `npm run build`: compiles the service (src, migrations) and the development launcher with its
// mock partner (tools/dev, tools/mock-partner) into dist/, from a clean directory so a deleted
// source leaves nothing behind. Plain JavaScript, so `npm start` can check the build without tsx.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(ROOT, 'dist');
const STAMP = '.build-stamp';
const INPUT_DIRECTORIES = ['src', 'migrations', 'tools/dev', 'tools/mock-partner'];
const INPUT_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json'];

/** Why dist/ cannot be run as it is ('missing', 'stale'), or null when it is newer than every input. */
export function buildState(root = ROOT) {
  const stamp = join(root, 'dist', STAMP);
  if (!existsSync(stamp)) return 'missing';
  const builtAt = statSync(stamp).mtimeMs;
  const inputs = [
    ...INPUT_FILES.map((file) => join(root, file)).filter((file) => existsSync(file)),
    ...INPUT_DIRECTORIES.flatMap((directory) => filesUnder(join(root, directory))),
  ];
  return inputs.some((file) => statSync(file).mtimeMs > builtAt) ? 'stale' : null;
}

/**
 * Compiles into `outDir` (default dist/) through a temporary directory swapped in at the end, so a
 * running `node dist/...` never sees half a build. Returns tsc's exit code: 0 clean, 2 type errors
 * (JavaScript still written), 1 nothing written. Throws when TypeScript is not installed.
 */
export function build({ root = ROOT, outDir = join(root, 'dist'), stdio = 'inherit' } = {}) {
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  const staging = `${outDir}.building-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  // The stamp carries the start time, so a source saved while tsc ran still counts as newer.
  const started = new Date();
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', staging], { cwd: root, stdio });
  const code = result.status ?? 1;
  if (code === 1 || !existsSync(staging)) {
    rmSync(staging, { recursive: true, force: true });
    return 1;
  }
  writeFileSync(join(staging, STAMP), `${started.toISOString()}\n`);
  utimesSync(join(staging, STAMP), started, started);
  rmSync(outDir, { recursive: true, force: true });
  renameSync(staging, outDir);
  return code;
}

function filesUnder(directory) {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const code = build();
  if (code !== 0) console.error(code === 2 ? 'build: type errors (see above); dist/ was written anyway' : 'build: failed');
  process.exit(code === 0 ? 0 : 1);
}
