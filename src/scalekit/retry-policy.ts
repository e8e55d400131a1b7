import type { RetryFailure } from '../retry/decide-retry.js';
import { isNeverSentNetworkCode } from '../retry/network-errors.js';
import {
  NetworkError,
  RateLimitedError,
  ResponseShapeError,
  ScalekitError,
  TimeoutError,
  UnavailableError,
} from './errors.js';

/**
 * A failed Scalekit call as the one retry decision (`decideRetry`, `src/retry/decide-retry.ts`)
 * sees it: the HTTP status (with `Retry-After`), a timeout, a network error, or something that is
 * never retried (a malformed response, a request the client refused to send, a non-Scalekit error).
 */
export function retryFailureOf(error: unknown): RetryFailure {
  if (!(error instanceof ScalekitError)) return { kind: 'other', reason: 'not a Scalekit error' };
  if (error instanceof RateLimitedError) return { kind: 'status', status: 429, retryAfterMs: error.retryAfterMs };
  if (error instanceof TimeoutError) return { kind: 'timeout', timeoutMs: error.timeoutMs };
  if (error instanceof NetworkError) return { kind: 'network', code: error.networkCode };
  if (error instanceof ResponseShapeError || error.status === undefined)
    return { kind: 'other', reason: `${error.code} is permanent` };
  return { kind: 'status', status: error.status, retryAfterMs: error.retryAfterMs };
}

/**
 * True when the failed request may or may not have taken effect on the server: a timeout, a
 * connection dropped after it was sent, or a 5xx. A 429 and a refused connection are known not to
 * have been acted on.
 */
export function isOutcomeUnknown(error: unknown): boolean {
  if (error instanceof TimeoutError) return true;
  if (error instanceof NetworkError)
    return error.networkCode === undefined || !isNeverSentNetworkCode(error.networkCode);
  return error instanceof UnavailableError;
}
