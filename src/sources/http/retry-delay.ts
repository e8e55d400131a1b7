/**
 * Statuses worth retrying: 408, 429 and server errors, except 501 and 505, which say the server
 * will never handle this request (the same rule as the Scalekit client's `decideRetry`).
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/**
 * `Retry-After` in milliseconds (delta-seconds or an HTTP date), or `undefined` when absent or
 * unreadable. A date in the past gives 0.
 */
export function parseRetryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Backoff options, all in milliseconds. */
export interface BackoffOptions {
  /** The delay before the second attempt, before jitter. */
  baseDelayMs: number;
  /** No delay exceeds this. */
  maxDelayMs: number;
  /** A number in [0, 1); `Math.random` outside tests. */
  random: () => number;
}

/**
 * Exponential backoff with "equal jitter": after attempt `attempt` (1-based), wait between half
 * and all of `baseDelayMs * 2^(attempt-1)`, capped at `maxDelayMs`. Jitter keeps many clients
 * that failed together from retrying together.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * options.random());
}
