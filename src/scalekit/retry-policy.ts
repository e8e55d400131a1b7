import { NetworkError, RateLimitedError, ScalekitError, TimeoutError, UnavailableError } from './errors.js';

/** What `decideRetry` needs to know. Pure data: no clock, no I/O. */
export interface RetryInput {
  /** The error the attempt ended with (anything; only `ScalekitError`s can be retried). */
  error: unknown;
  /** 1-based number of the attempt that just failed. */
  attempt: number;
  /** Total attempts allowed, the first one included. */
  maxAttempts: number;
  /** First backoff ceiling, in milliseconds; doubles per attempt. */
  baseDelayMs: number;
  /** Ceiling of any delay, `Retry-After` included, in milliseconds. */
  maxDelayMs: number;
  /** Uniform in [0, 1), for full jitter. */
  random: () => number;
}

/** The verdict: whether to try again, after how long, and why (for logs). */
export interface RetryDecision {
  retry: boolean;
  delayMs: number;
  reason: string;
}

/**
 * Statuses of `UnavailableError` worth another attempt, for any method. 500 is included: Scalekit
 * answers 500 for gRPC UNKNOWN/INTERNAL, which are often passing faults, and every write is safe
 * to repeat (PATCH and DELETE are idempotent; a create is looked up before it is re-sent). A
 * deterministic 500 costs at most `maxAttempts` calls. 501 (UNIMPLEMENTED) and 505 never heal.
 */
const transientStatuses = new Set([500, 502, 503, 504]);

/**
 * Network codes meaning the request never reached the server (the connection was never made), so
 * re-sending it cannot duplicate anything.
 */
const notSentNetworkCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

function stop(reason: string): RetryDecision {
  return { retry: false, delayMs: 0, reason };
}

/** Exponential backoff with full jitter: uniform in [0, min(maxDelayMs, baseDelayMs * 2^(attempt-1))). */
function backoffMs(input: RetryInput): number {
  const ceiling = Math.min(input.maxDelayMs, input.baseDelayMs * 2 ** Math.max(0, input.attempt - 1));
  return Math.floor(input.random() * ceiling);
}

/** `Retry-After` when the server sent one (capped at `maxDelayMs`), otherwise jittered backoff. */
function delayFor(input: RetryInput, error: ScalekitError): number {
  if (error.retryAfterMs !== undefined) return Math.min(input.maxDelayMs, error.retryAfterMs);
  return backoffMs(input);
}

/** Why `error` is transient, or `undefined` when trying again would not help. */
function transientReason(error: ScalekitError): string | undefined {
  if (error instanceof RateLimitedError) return 'rate limited (429)';
  if (error instanceof TimeoutError) return `timed out after ${error.timeoutMs} ms`;
  if (error instanceof NetworkError) return `network error ${error.networkCode ?? 'unknown'}`;
  if (error instanceof UnavailableError && error.status !== undefined) {
    return transientStatuses.has(error.status) ? `server error (${error.status})` : undefined;
  }
  if (error.status === 408) return 'request timeout (408)';
  return undefined;
}

/**
 * The one place that decides whether a failed Scalekit call is tried again. Retried: 429, 408,
 * 500/502/503/504, timeouts and network errors, with exponential backoff and full
 * jitter, or the server's `Retry-After` when present (both capped at `maxDelayMs`). Never retried:
 * 400, 401, 403, 404, 409, other statuses, malformed responses and non-Scalekit errors. A 429
 * may be tried `RATE_LIMITED_ATTEMPTS_FACTOR` times `maxAttempts`.
 * Whether re-sending is *safe* for a non-idempotent create is the client's business (see
 * `isOutcomeUnknown`), not this function's.
 */
/** How many times `maxAttempts` a rate-limited (429) call may be tried. */
export const RATE_LIMITED_ATTEMPTS_FACTOR = 2;

export function decideRetry(input: RetryInput): RetryDecision {
  const { error, attempt, maxAttempts } = input;
  if (!(error instanceof ScalekitError)) return stop('not a Scalekit error');
  const reason = transientReason(error);
  if (reason === undefined) return stop(`${error.code} is permanent`);
  // A 429 says nothing was done and only asks to wait: under a tight limit it gets twice the
  // attempts (each wait capped at maxDelayMs), so a busy environment slows a run down rather than
  // failing its items.
  const limit =
    error instanceof RateLimitedError && maxAttempts > 1 ? maxAttempts * RATE_LIMITED_ATTEMPTS_FACTOR : maxAttempts;
  if (attempt >= limit) return stop(`${reason}; gave up after ${attempt} attempts`);
  return { retry: true, delayMs: delayFor(input, error), reason };
}

/**
 * True when the failed request may or may not have taken effect on the server: a timeout, a
 * connection dropped after it was sent, or a 5xx. A 429 and a refused connection are known not to
 * have been acted on.
 */
export function isOutcomeUnknown(error: unknown): boolean {
  if (error instanceof TimeoutError) return true;
  if (error instanceof NetworkError)
    return error.networkCode === undefined || !notSentNetworkCodes.has(error.networkCode);
  return error instanceof UnavailableError;
}
