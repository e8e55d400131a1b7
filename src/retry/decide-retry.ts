/**
 * How one attempt failed, as the retry decision sees it. Each caller classifies its own errors:
 * the Scalekit client (`retryFailureOf`), the HTTP source (`fetch-json.ts`).
 */
export type RetryFailure =
  /** An HTTP status other than 2xx; `retryAfterMs` when the response carried a readable `Retry-After`. */
  | { kind: 'status'; status: number; retryAfterMs?: number | undefined }
  /** No complete response within the attempt's timeout: the server may or may not have acted. */
  | { kind: 'timeout'; timeoutMs: number }
  /** The connection failed; `code` as `findNetworkCode` found it. */
  | { kind: 'network'; code?: string | undefined }
  /** Anything else (a malformed response, a request refused before sending): never retried. */
  | { kind: 'other'; reason: string };

/** What `decideRetry` needs to know. Pure data: no clock, no I/O. */
export interface RetryInput {
  failure: RetryFailure;
  /** 1-based number of the attempt that just failed. */
  attempt: number;
  /** Total attempts allowed, the first one included. */
  maxAttempts: number;
  /** First backoff ceiling, in milliseconds; doubles per attempt. */
  baseDelayMs: number;
  /** Ceiling of the backoff, and of a `Retry-After` unless `maxRetryAfterMs` is given, in milliseconds. */
  maxDelayMs: number;
  /**
   * A `Retry-After` longer than this ends the retries instead of stalling the caller (the HTTP
   * source); one up to it is waited in full. Unset: a `Retry-After` is capped at `maxDelayMs`.
   */
  maxRetryAfterMs?: number | undefined;
  /** Uniform in [0, 1), for full jitter. */
  random: () => number;
}

/**
 * The verdict: try again after `delayMs`, or stop, saying why (`reason` is for logs): `permanent`
 * (trying again would not help), `attempts-spent`, or `wait-too-long` (`Retry-After` beyond
 * `maxRetryAfterMs`).
 */
export type RetryDecision =
  | { retry: true; delayMs: number; reason: string }
  | { retry: false; delayMs: 0; reason: string; why: 'permanent' | 'attempts-spent' | 'wait-too-long' };

/** How many times `maxAttempts` a rate-limited (429) call may be tried. */
const RATE_LIMITED_ATTEMPTS_FACTOR = 2;

/**
 * Statuses worth another attempt, for any method: 408, 429, and every 5xx but 501 (Not
 * Implemented) and 505 (HTTP Version Not Supported), which never heal. 500 is included: Scalekit
 * answers 500 for gRPC UNKNOWN/INTERNAL, which are often passing faults, and a proxy's 502/503/504
 * (or a CDN's 52x) pass too; a 5xx that is really a bug costs at most `maxAttempts` calls.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505);
}

/** Why `failure` is transient, or `undefined` when trying again would not help. */
function transientReason(failure: RetryFailure): string | undefined {
  switch (failure.kind) {
    case 'status':
      if (!isRetryableStatus(failure.status)) return undefined;
      if (failure.status === 429) return 'rate limited (429)';
      if (failure.status === 408) return 'request timeout (408)';
      return `server error (${failure.status})`;
    case 'timeout':
      return `timed out after ${failure.timeoutMs} ms`;
    case 'network':
      return `network error ${failure.code ?? 'unknown'}`;
    case 'other':
      return undefined;
  }
}

function permanentReason(failure: RetryFailure): string {
  if (failure.kind === 'other') return failure.reason;
  return failure.kind === 'status' ? `status ${failure.status} is permanent` : `${failure.kind} is permanent`;
}

/** Exponential backoff with full jitter: uniform in [0, min(maxDelayMs, baseDelayMs * 2^(attempt-1))). */
function backoffMs(input: RetryInput): number {
  const ceiling = Math.min(input.maxDelayMs, input.baseDelayMs * 2 ** Math.max(0, input.attempt - 1));
  return Math.floor(input.random() * ceiling);
}

/**
 * The one place that decides whether a failed request is tried again, for the Scalekit client and
 * the HTTP source alike. Retried: the statuses of `isRetryableStatus` (408, 429, 5xx but 501 and
 * 505), timeouts and network errors, with exponential backoff and full jitter, or after the
 * server's `Retry-After` when it sent one (capped at `maxDelayMs`, or refused beyond
 * `maxRetryAfterMs`). A 429 says nothing was done and only asks to wait: it may be tried
 * `RATE_LIMITED_ATTEMPTS_FACTOR` times `maxAttempts`, so a busy server slows a run down rather
 * than failing it. Whether re-sending is *safe* for a non-idempotent create is the client's
 * business (`isOutcomeUnknown`), not this function's.
 */
export function decideRetry(input: RetryInput): RetryDecision {
  const { failure, attempt, maxAttempts } = input;
  const reason = transientReason(failure);
  if (reason === undefined) return { retry: false, delayMs: 0, reason: permanentReason(failure), why: 'permanent' };
  const rateLimited = failure.kind === 'status' && failure.status === 429;
  const limit = rateLimited && maxAttempts > 1 ? maxAttempts * RATE_LIMITED_ATTEMPTS_FACTOR : maxAttempts;
  if (attempt >= limit)
    return { retry: false, delayMs: 0, reason: `${reason}; gave up after ${attempt} attempts`, why: 'attempts-spent' };
  const retryAfterMs = failure.kind === 'status' ? failure.retryAfterMs : undefined;
  if (retryAfterMs === undefined) return { retry: true, delayMs: backoffMs(input), reason };
  if (input.maxRetryAfterMs !== undefined && retryAfterMs > input.maxRetryAfterMs) {
    const why = `${reason}; the server asks to wait ${retryAfterMs} ms, more than ${input.maxRetryAfterMs} ms`;
    return { retry: false, delayMs: 0, reason: why, why: 'wait-too-long' };
  }
  return { retry: true, delayMs: Math.min(input.maxRetryAfterMs ?? input.maxDelayMs, retryAfterMs), reason };
}
