import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { ConfigError } from '../errors.js';
import type { RateBudget } from './rate-budget.js';
import type { RequestInfo } from './request-loop.js';
import type { Sleep } from './sleep.js';
import type { FetchLike } from './transport.js';

/** Options of `createScalekitClient`. */
export interface ScalekitClientOptions {
  /** e.g. `https://acme.scalekit.dev` (`SCALEKIT_ENVIRONMENT_URL`); a trailing `/` is ignored. */
  environmentUrl: string;
  clientId: string;
  /** Never logged, never put in an error message. */
  clientSecret: string;
  /** The gate every request (token requests included) passes through. */
  rateBudget: RateBudget;
  /** Token endpoint. Default `{environmentUrl}/oauth/token`. */
  tokenUrl?: string;
  /** Per attempt, connecting to reading the whole body, in ms. Default 20000 (the SDK's). */
  timeoutMs?: number;
  /** Attempts per call, the first included. Default 6. */
  maxAttempts?: number;
  /** First backoff ceiling in ms, doubled per attempt, fully jittered. Default 250. */
  baseDelayMs?: number;
  /** Cap of any wait between attempts, `Retry-After` included, in ms. Default 30000. */
  maxDelayMs?: number;
  /** Retries are logged here (debug for 429s, warn otherwise), with their reason; never secrets. */
  logger?: Logger;
  /** Transport. Default undici's `fetch`. */
  fetch?: FetchLike;
  /**
   * undici connection pool. Default: an `Agent` with keep-alive owned by the client (and closed by
   * `close()`). A dispatcher passed in is not closed by the client.
   */
  dispatcher?: Dispatcher;
  /** Default: a real timer. Tests inject a fake. */
  sleep?: Sleep;
  /** Uniform in [0, 1), for backoff jitter. Default `Math.random`. */
  random?: () => number;
  /** Epoch milliseconds, for token expiry, `Retry-After` dates and durations. Default `Date.now`. */
  now?: () => number;
  /** Called after every attempt (metrics). Exceptions it throws are logged and ignored. */
  onRequest?: (info: RequestInfo) => void;
}

/** Defaults of the numeric options. */
export const clientDefaults = {
  timeoutMs: 20_000,
  maxAttempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 30_000,
} satisfies Partial<ScalekitClientOptions>;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    // Not a URL at all: reported below with the setting's name.
    return false;
  }
}

/** Checks the options at construction and throws one `ConfigError` listing every problem. */
export function assertClientOptions(options: ScalekitClientOptions): void {
  const problems: string[] = [];
  if (!isHttpUrl(options.environmentUrl))
    problems.push('environmentUrl must be an http(s) URL, e.g. https://acme.scalekit.dev');
  if (options.tokenUrl !== undefined && !isHttpUrl(options.tokenUrl)) problems.push('tokenUrl must be an http(s) URL');
  if (options.clientId.trim() === '') problems.push('clientId must not be empty');
  if (options.clientSecret.trim() === '') problems.push('clientSecret must not be empty');
  const positive = { timeoutMs: options.timeoutMs, baseDelayMs: options.baseDelayMs, maxDelayMs: options.maxDelayMs };
  for (const [name, value] of Object.entries(positive)) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0))
      problems.push(`${name} must be a positive number of milliseconds`);
  }
  if (options.maxAttempts !== undefined && !(Number.isInteger(options.maxAttempts) && options.maxAttempts >= 1)) {
    problems.push('maxAttempts must be an integer >= 1');
  }
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `Scalekit client: ${p}`));
}
