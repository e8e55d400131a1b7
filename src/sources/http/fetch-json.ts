import { STATUS_CODES } from 'node:http';
import type { Logger } from 'pino';
import { SourceError, coerceError } from '../../errors.js';
import { decideRetry, type RetryFailure } from '../../retry/decide-retry.js';
import { describeNetworkError, findNetworkCode } from '../../retry/network-errors.js';
import { parseRetryAfterMs } from '../../retry/retry-after.js';
import { withAttemptSignal } from '../../retry/with-attempt-signal.js';
import { fetchWithinOrigin, readBodyUpTo } from './bounded-fetch.js';
import { redactUrl } from './redact-url.js';

/** How `fetchJson` sends requests and retries them. Durations in milliseconds. */
export interface FetchJsonOptions {
  /** Sent as `Authorization: Bearer <token>`; never logged. */
  token: string | undefined;
  /** Per attempt, headers and body included. */
  timeoutMs: number;
  /** Attempts in all, the first included (a 429 may have twice as many, see `decideRetry`). */
  maxAttempts: number;
  /** The delay before the second attempt, before jitter; doubles per attempt. */
  baseDelayMs: number;
  /** No backoff delay exceeds this. */
  maxDelayMs: number;
  /** A `Retry-After` longer than this ends the retries instead of stalling the run. */
  maxRetryAfterMs: number;
  /** A response body larger than this fails the request (`ORGSYNC_SOURCE_MAX_PAGE_BYTES`), in bytes. */
  maxPageBytes: number;
  fetch: typeof fetch;
  /** Waits `ms` milliseconds; rejects with the signal's reason when it fires. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A number in [0, 1) for the jitter; `Math.random` outside tests. */
  random: () => number;
  now: () => number;
  logger: Pick<Logger, 'debug' | 'warn'> | undefined;
  /** Names the source in log lines. */
  description: string;
}

/**
 * What one attempt came to. A failure says what went wrong in words (`reason`, with a `hint` at
 * the setting to check) and, for the retry decision, how (`failure`); `tooLarge` when the body
 * passed `maxPageBytes`.
 */
type Attempt =
  | { ok: true; body: string; contentType: string }
  | { ok: false; tooLarge: true }
  | { ok: false; tooLarge?: false; failure: RetryFailure; reason: string; hint?: string | undefined };

function statusHint(status: number): string | undefined {
  if (status === 401 || status === 403) return 'check ORGSYNC_SOURCE_TOKEN';
  if (status === 404) return 'check the source URL';
  return undefined;
}

async function attemptOnce(url: URL, options: FetchJsonOptions, signal: AbortSignal | undefined): Promise<Attempt> {
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'orgsync' };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  return withAttemptSignal(signal, options.timeoutMs, async (attempt): Promise<Attempt> => {
    try {
      const sent = await fetchWithinOrigin(options.fetch, url, { headers, signal: attempt.signal });
      if ('refused' in sent)
        return { ok: false, failure: { kind: 'other', reason: sent.refused }, reason: sent.refused, hint: sent.hint };
      const { response } = sent;
      if (!response.ok) {
        // Release the connection; the body of an error response is not needed.
        await response.body?.cancel().catch(() => undefined);
        const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'), options.now());
        return {
          ok: false,
          failure: { kind: 'status', status: response.status, retryAfterMs },
          reason: `${response.status} ${response.statusText || STATUS_CODES[response.status] || ''}`.trim(),
          hint: statusHint(response.status),
        };
      }
      const body = await readBodyUpTo(response, options.maxPageBytes);
      if (body === undefined) return { ok: false, tooLarge: true };
      return { ok: true, body, contentType: response.headers.get('content-type') ?? 'none' };
    } catch (caught) {
      signal?.throwIfAborted();
      if (attempt.timedOut()) {
        const failure: RetryFailure = { kind: 'timeout', timeoutMs: options.timeoutMs };
        return { ok: false, failure, reason: `no complete response within ${options.timeoutMs} ms` };
      }
      const failure: RetryFailure = { kind: 'network', code: findNetworkCode(caught) };
      return { ok: false, failure, reason: describeNetworkError(coerceError(caught)) };
    }
  });
}

/**
 * GETs `url` and parses its JSON body, retrying as `decideRetry` (`src/retry/decide-retry.ts`)
 * decides: network errors, timeouts, 408, 429 and 5xx but 501 and 505, with exponential backoff and
 * full jitter, or after the server's `Retry-After` (one longer than `maxRetryAfterMs` fails). Throws `SourceError` naming
 * `label` and the redacted URL, e.g. "page 3 (https://host/accounts?cursor=abc) failed after 4
 * attempts: 503 Service Unavailable"; throws the signal's reason when it fires.
 */
export async function fetchJson(
  url: URL,
  label: string,
  options: FetchJsonOptions,
  signal?: AbortSignal,
): Promise<unknown> {
  const where = `${label} (${redactUrl(url)})`;
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await attemptOnce(url, options, signal);
    if (outcome.ok) {
      try {
        return JSON.parse(outcome.body);
      } catch (error) {
        const reason = coerceError(error).message;
        throw new SourceError(`${where}: the response is not JSON (content-type ${outcome.contentType}): ${reason}`);
      }
    }
    if (outcome.tooLarge === true) {
      // Not retried: the same page would be as large again.
      throw new SourceError(
        `${where}: the response is larger than ${options.maxPageBytes} bytes; raise ORGSYNC_SOURCE_MAX_PAGE_BYTES if pages this large are expected`,
      );
    }
    const decision = decideRetry({ ...options, failure: outcome.failure, attempt });
    if (!decision.retry) throw new SourceError(`${where} failed${givingUp(outcome, decision.why, attempt, options)}`);
    const { delayMs } = decision;
    options.logger?.warn(
      { source: options.description, request: where, attempt, reason: outcome.reason, delayMs },
      'HTTP source request failed; retrying',
    );
    await options.sleep(delayMs, signal);
  }
}

/** The end of the message of a request that is not tried again: what failed, and why it stops. */
function givingUp(
  outcome: { failure: RetryFailure; reason: string; hint?: string | undefined },
  why: 'permanent' | 'attempts-spent' | 'wait-too-long',
  attempt: number,
  options: FetchJsonOptions,
): string {
  if (why === 'permanent') return `: ${outcome.reason}${outcome.hint === undefined ? '' : ` — ${outcome.hint}`}`;
  const tries = ` after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${outcome.reason}`;
  if (why === 'attempts-spent' || outcome.failure.kind !== 'status') return tries;
  const waitS = Math.ceil((outcome.failure.retryAfterMs ?? 0) / 1000);
  return `${tries}, and the server asks to wait ${waitS} s (more than ${options.maxRetryAfterMs / 1000} s)`;
}
