import { developmentSecretProblems } from './development-secrets.js';
import { loadConfigOrExit } from './load-config-or-exit.js';

// The service's entry point (`node dist/src/infrastructure/main.js`). The configuration is checked
// before the database drivers, Koa and the container are even loaded, so a bad key fails at once
// with every bad key named, and nothing else.
const config = loadConfigOrExit(developmentSecretProblems);

const { runService } = await import('./run-service.js');
await runService(config);
