// `npm start`: builds dist/ when it is missing or older than the sources, then runs the compiled
// launcher (dist/tools/dev/start.js) in THIS process. package.json execs this file, so no npm or
// shell stands between a supervisor's SIGTERM and the server that drains on it.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { DIST, build, buildState } from '../build.mjs';

const state = buildState();
if (state !== null) {
  let code;
  try {
    console.error(`npm start: dist/ is ${state}; building (npm run build)`);
    code = build();
  } catch {
    code = undefined;
  }
  if (code === undefined && state === 'stale') {
    console.error('npm start: TypeScript is not installed (a production install?); running the existing dist/');
  } else if (code === undefined) {
    console.error('npm start: dist/ is missing and TypeScript is not installed; run `npm install` then `npm run build`');
    process.exit(1);
  } else if (code === 1) {
    console.error('npm start: the build failed (see above)');
    process.exit(1);
  } else if (code === 2) {
    console.error('npm start: the sources have type errors (see above); starting the JavaScript tsc wrote anyway');
  }
}

const launcher = join(DIST, 'tools', 'dev', 'start.js');
if (!existsSync(launcher)) {
  console.error(`npm start: ${launcher} is missing; run \`npm run build\``);
  process.exit(1);
}
await import(pathToFileURL(launcher).href);
