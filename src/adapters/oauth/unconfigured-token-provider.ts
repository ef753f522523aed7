import { TokenUnavailableError } from '../../domain/errors/token-unavailable-error.js';
import type { AccessToken, TokenProvider } from '../../domain/ports/token-provider.js';

/** Bound when no token endpoint is configured: every request fails with a clear error, nothing crashes. */
export class UnconfiguredTokenProvider implements TokenProvider {
  async getToken(): Promise<AccessToken> {
    throw new TokenUnavailableError(
      'no token endpoint is configured (set OAUTH_TOKEN_URL, or start with `npm start`, which runs the bundled mock partner)',
    );
  }

  async invalidate(): Promise<void> {}
}
