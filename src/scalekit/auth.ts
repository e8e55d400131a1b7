import { UnauthenticatedError, ValidationError } from './errors.js';
import type { RequestLoop, TokenSource } from './request-loop.js';
import { tokenResponseSchema } from './schemas.js';
import { raceAbort } from './sleep.js';

/** Options of `createTokenProvider`. */
export interface TokenProviderOptions {
  clientId: string;
  clientSecret: string;
  /** Absolute URL of the token endpoint, e.g. `https://acme.scalekit.dev/oauth/token`. */
  tokenUrl: string;
  request: RequestLoop;
  /** Epoch milliseconds. */
  now: () => number;
}

/** A `TokenSource` that also exposes the cached token (for scrubbing error messages). */
export interface TokenProvider extends TokenSource {
  /** The cached token, if any (never log it). */
  current(): string | undefined;
}

/** How early a token is renewed: 10% of its lifetime, at most 60 s. */
export function refreshMarginMs(expiresInMs: number): number {
  return Math.min(60_000, expiresInMs * 0.1);
}

/**
 * OAuth2 client credentials against `POST {env}/oauth/token` (form-encoded). The token is cached
 * until `refreshMarginMs` before `expires_in` runs out (kept until a 401 when the server gives no
 * `expires_in`). Concurrent callers share one in-flight token request. Token requests pass through
 * the rate budget and the retry policy like any other request (they count as `tokenCalls`).
 * A 400 or 401 from the token endpoint means the credentials are wrong: `UnauthenticatedError`.
 */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  let cached: { token: string; renewAtMs: number } | undefined;
  let inFlight: Promise<string> | undefined;

  async function fetchToken(): Promise<string> {
    try {
      const response = await options.request({
        method: 'POST',
        routeTemplate: '/oauth/token',
        url: options.tokenUrl,
        body: {
          form: { grant_type: 'client_credentials', client_id: options.clientId, client_secret: options.clientSecret },
        },
        schema: tokenResponseSchema,
        // Asking for a token twice is harmless.
        idempotent: true,
      });
      const expiresInMs = response.expires_in === undefined ? Infinity : response.expires_in * 1000;
      cached = { token: response.access_token, renewAtMs: options.now() + expiresInMs - refreshMarginMs(expiresInMs) };
      return response.access_token;
    } catch (error) {
      if (error instanceof ValidationError || error instanceof UnauthenticatedError) {
        throw new UnauthenticatedError(
          `the token endpoint refused the client credentials (HTTP ${error.status ?? '?'}); check SCALEKIT_CLIENT_ID, SCALEKIT_CLIENT_SECRET and SCALEKIT_ENVIRONMENT_URL`,
          {
            method: 'POST',
            routeTemplate: '/oauth/token',
            status: error.status,
            errorCode: error.errorCode,
            cause: error,
          },
        );
      }
      throw error;
    }
  }

  return {
    get(signal?: AbortSignal): Promise<string> {
      if (cached !== undefined && options.now() < cached.renewAtMs) return Promise.resolve(cached.token);
      // The shared request ignores any one caller's signal (others may still want it); each caller
      // stops waiting on its own abort.
      inFlight ??= fetchToken().finally(() => {
        inFlight = undefined;
      });
      return raceAbort(inFlight, signal);
    },
    invalidate(token: string): void {
      if (cached?.token === token) cached = undefined;
    },
    current(): string | undefined {
      return cached?.token;
    },
  };
}
