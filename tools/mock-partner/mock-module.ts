import type { Router } from '@koa/router';
import type { MockFaults } from './mock-faults.js';
import type { MockStats } from './mock-stats.js';

/** A token the mock's OAuth module issued; other modules check bearer tokens against these. */
export interface IssuedMockToken {
  readonly clientId: string;
  readonly scope: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}

/** Settings fixed when the mock is created (the CLI fills them from MOCK_PARTNER_* variables). */
export interface MockPartnerOptions {
  /** Registered OAuth clients; the default is the development client `npm start` uses. */
  readonly clients?: readonly { readonly id: string; readonly secret: string; readonly scopes?: readonly string[] }[];
  /** Lifetime of issued access tokens (`expires_in`); POST /__faults {"tokenLifetimeSeconds"} overrides it. */
  readonly tokenLifetimeSeconds?: number;
  /** Free-form settings for other modules, under their own key. */
  readonly [module: string]: unknown;
}

/** What every module shares: counters, fault settings, issued tokens, its own state, reset hooks. */
export interface MockPartnerContext {
  readonly options: MockPartnerOptions;
  readonly stats: MockStats;
  /** The live fault settings; read them at request time, POST /__faults changes them. */
  readonly faults: MockFaults;
  /** Issued access tokens by value; cleared on reset. */
  readonly tokens: Map<string, IssuedMockToken>;
  /** Module-owned state by module name; cleared on reset. */
  readonly state: Map<string, unknown>;
  /** Runs on POST /__reset, after stats, faults, tokens and state are cleared. */
  onReset(hook: () => void): void;
}

/** A mock partner feature: registers its routes on `router` and keeps its state in `context`. */
export type MockModule = (router: Router, context: MockPartnerContext) => void;
