import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Webhook } from 'standardwebhooks';
import { coerceError } from '../errors.js';
import { decideRetry, type RetryFailure } from '../retry/decide-retry.js';
import { describeNetworkError, findNetworkCode } from '../retry/network-errors.js';
import { parseRetryAfterMs } from '../retry/retry-after.js';
import { withAttemptSignal } from '../retry/with-attempt-signal.js';

/** How `postNotice` sends and retries. Durations in milliseconds. */
export interface PostNoticeOptions {
  fetch: typeof fetch;
  /** Per attempt, the response's headers included. Default for notifications: 10,000. */
  timeoutMs: number;
  /** Attempts in all, the first included (a 429 may have twice as many, see `decideRetry`). */
  maxAttempts: number;
  /** The backoff ceiling before the second attempt; doubles per attempt (full jitter). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Signs each attempt in the Standard Webhooks scheme when set (ORGSYNC_NOTIFY_SECRET). */
  signer?: Webhook | undefined;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  now: () => number;
}

/** How a delivery ended; `reason` never holds the URL (it may carry a token). */
export type PostOutcome = { sent: true; attempts: number } | { sent: false; attempts: number; reason: string };

type Attempt = { ok: true } | { ok: false; failure: RetryFailure; reason: string };

async function attemptOnce(
  url: URL,
  body: string,
  messageId: string,
  options: PostNoticeOptions,
  signal: AbortSignal | undefined,
): Promise<Attempt> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'orgsync' };
  const target = withoutCredentials(url);
  if (target.authorization) headers['authorization'] = target.authorization;
  // Every try of one notification carries the same id, signed or not: a receiver can drop a duplicate.
  headers['webhook-id'] = messageId;
  if (options.signer) {
    // Signed per attempt: receivers refuse a timestamp older than their tolerance (5 minutes).
    const timestamp = new Date(options.now());
    headers['webhook-timestamp'] = String(Math.floor(timestamp.getTime() / 1000));
    headers['webhook-signature'] = options.signer.sign(messageId, timestamp, body);
  }
  return withAttemptSignal(signal, options.timeoutMs, async (attempt): Promise<Attempt> => {
    try {
      // A redirect is not followed: the signed document goes to the configured URL only.
      const response = await options.fetch(target.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: attempt.signal,
      });
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return { ok: true };
      const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'), options.now());
      const reason = `${response.status} ${STATUS_CODES[response.status] ?? ''}`.trim();
      return { ok: false, failure: { kind: 'status', status: response.status, retryAfterMs }, reason };
    } catch (caught) {
      signal?.throwIfAborted();
      if (attempt.timedOut())
        return {
          ok: false,
          failure: { kind: 'timeout', timeoutMs: options.timeoutMs },
          reason: `no answer within ${options.timeoutMs} ms`,
        };
      // The network error's message may name the host but never the path or query.
      const failure: RetryFailure = { kind: 'network', code: findNetworkCode(caught) };
      return { ok: false, failure, reason: describeNetworkError(coerceError(caught)) };
    }
  });
}

/**
 * A URL's `user:password@` as basic auth (fetch refuses a URL with credentials, and its message
 * would carry them), and the URL without them.
 */
function withoutCredentials(url: URL): { url: URL; authorization?: string | undefined } {
  if (url.username === '' && url.password === '') return { url };
  const bare = new URL(url.href);
  bare.username = '';
  bare.password = '';
  const userPass = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return { url: bare, authorization: `Basic ${Buffer.from(userPass).toString('base64')}` };
}

/**
 * POSTs `body` (JSON) to `url` (credentials in it are sent as basic auth), retrying as `decideRetry` decides (network errors, timeouts, 408,
 * 429, 5xx but 501 and 505) with exponential backoff and full jitter. Every attempt carries the
 * same `webhook-id`, so a receiver can drop a duplicate. Never throws but the signal's reason.
 */
export async function postNotice(
  url: URL,
  body: string,
  options: PostNoticeOptions,
  signal?: AbortSignal,
): Promise<PostOutcome> {
  const messageId = `msg_${randomUUID()}`;
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await attemptOnce(url, body, messageId, options, signal);
    if (outcome.ok) return { sent: true, attempts: attempt };
    const decision = decideRetry({ ...options, failure: outcome.failure, attempt });
    if (!decision.retry) return { sent: false, attempts: attempt, reason: `${outcome.reason}; ${decision.reason}` };
    await options.sleep(decision.delayMs, signal);
  }
}
