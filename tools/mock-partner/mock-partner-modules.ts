import { catalogModule } from './catalog-module.js';
import type { MockModule } from './mock-module.js';
import { oauthModule } from './oauth-module.js';
import { webhookModule } from './webhook-module.js';

/** Every module the bundled mock partner serves; add yours with one line. */
export const MOCK_PARTNER_MODULES: readonly MockModule[] = [oauthModule, catalogModule, webhookModule];
