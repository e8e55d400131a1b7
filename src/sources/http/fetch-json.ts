import { STATUS_CODES } from 'node:http';
import type { Logger } from 'pino';
import { SourceError, coerceError } from '../../errors.js';
import { fetchWithinOrigin, readBodyUpTo } from './bounded-fetch.js';
import { redactUrl } from './redact-url.js';
import { backoffDelayMs, isRetryableStatus, parseRetryAfterMs, type BackoffOptions } from './retry-delay.js';

/** How `fetchJson` sends requests and retries them. */
export interface FetchJsonOptions extends BackoffOptions {
  /** Sent as `Authorization: Bearer <token>`; never logged. */
  token: string | undefined;
  /** Per attempt, headers and body included, in milliseconds. */
  timeoutMs: number;
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** A `Retry-After` longer than this ends the retries instead of stalling the run, in milliseconds. */
  maxRetryAfterMs: number;
  /** A response body larger than this fails the request (`ORGSYNC_SOURCE_MAX_PAGE_BYTES`), in bytes. */
  maxPageBytes: number;
  fetch: typeof fetch;
  /** Waits `ms` milliseconds; rejects with the signal's reason when it fires. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
  logger: Pick<Logger, 'debug' | 'warn'> | undefined;
  /** Names the source in log lines. */
  description: string;
}

/**
 * What one attempt came to. `retryAfterMs` only for responses that carried `Retry-After`;
 * `tooLarge` when the body passed `maxPageBytes`.
 */
type Attempt =
  | { ok: true; body: string; contentType: string }
  | { ok: false; tooLarge: true }
  | {
      ok: false;
      tooLarge?: false;
      retryable: boolean;
      reason: string;
      hint?: string | undefined;
      retryAfterMs?: number | undefined;
    };

const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed by the server',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
};

function networkReason(error: Error): string {
  const cause: unknown = error.cause;
  if (cause instanceof Error && 'code' in cause && typeof cause.code === 'string') {
    return NETWORK_REASONS[cause.code] ?? `${cause.code}: ${cause.message}`;
  }
  return cause instanceof Error ? cause.message : error.message;
}

function statusHint(status: number): string | undefined {
  if (status === 401 || status === 403) return 'check ORGSYNC_SOURCE_TOKEN';
  if (status === 404) return 'check the source URL';
  return undefined;
}

async function attemptOnce(url: URL, options: FetchJsonOptions, signal: AbortSignal | undefined): Promise<Attempt> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'orgsync' };
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  try {
    const sent = await fetchWithinOrigin(options.fetch, url, {
      headers,
      signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
    });
    if ('refused' in sent) return { ok: false, retryable: false, reason: sent.refused, hint: sent.hint };
    const { response } = sent;
    if (!response.ok) {
      // Release the connection; the body of an error response is not needed.
      await response.body?.cancel().catch(() => undefined);
      return {
        ok: false,
        retryable: isRetryableStatus(response.status),
        reason: `${response.status} ${response.statusText || STATUS_CODES[response.status] || ''}`.trim(),
        hint: statusHint(response.status),
        retryAfterMs: parseRetryAfterMs(response.headers.get('retry-after'), options.now()),
      };
    }
    const body = await readBodyUpTo(response, options.maxPageBytes);
    if (body === undefined) return { ok: false, tooLarge: true };
    return { ok: true, body, contentType: response.headers.get('content-type') ?? 'none' };
  } catch (caught) {
    signal?.throwIfAborted();
    if (timeout.aborted)
      return { ok: false, retryable: true, reason: `no complete response within ${options.timeoutMs} ms` };
    return { ok: false, retryable: true, reason: networkReason(coerceError(caught)) };
  }
}

/**
 * GETs `url` and parses its JSON body, retrying network errors, timeouts, 408, 429 and 5xx with
 * exponential backoff and jitter (a `Retry-After` is honoured). Throws `SourceError` naming
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
    const hint = outcome.hint === undefined ? '' : ` — ${outcome.hint}`;
    if (!outcome.retryable) throw new SourceError(`${where} failed: ${outcome.reason}${hint}`);
    const tries = `after ${attempt} attempt${attempt === 1 ? '' : 's'}`;
    if (attempt >= options.maxAttempts) throw new SourceError(`${where} failed ${tries}: ${outcome.reason}`);
    if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > options.maxRetryAfterMs) {
      const waitS = Math.ceil(outcome.retryAfterMs / 1000);
      throw new SourceError(
        `${where} failed ${tries}: ${outcome.reason}, and the server asks to wait ${waitS} s (more than ${options.maxRetryAfterMs / 1000} s)`,
      );
    }
    const delayMs = outcome.retryAfterMs ?? backoffDelayMs(attempt, options);
    options.logger?.warn(
      { source: options.description, request: where, attempt, reason: outcome.reason, delayMs },
      'HTTP source request failed; retrying',
    );
    await options.sleep(delayMs, signal);
  }
}
