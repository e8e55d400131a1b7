import type { Logger } from 'pino';
import { settleWithin } from '../lifecycle.js';
import { Webhook } from 'standardwebhooks';
import type { RunVerdict } from '../engine/run-verdict.js';
import { realSleep } from '../scalekit/sleep.js';
import { buildRunNotice, type NoticeRun, type RunNotice } from './run-notice.js';
import { postNotice, type PostNoticeOptions } from './post-notice.js';

/** ORGSYNC_NOTIFY_ON: which runs are notified. */
export type NotifyOn = 'failure' | 'drift' | 'always';

/** How a delivery to one URL ended, as `orgsync_notifications_total{result}` counts it. */
export type DeliveryResult = 'sent' | 'failed';

/** Options of `createNotifier`. Durations in milliseconds. */
export interface NotifierOptions {
  /** ORGSYNC_NOTIFY_URL: every URL gets one POST per notified run. */
  urls: readonly string[];
  /** ORGSYNC_NOTIFY_ON; default `failure`. */
  on?: NotifyOn | undefined;
  /** ORGSYNC_NOTIFY_SECRET (`whsec_...`): sign in the Standard Webhooks scheme. */
  secret?: string | undefined;
  /** ORGSYNC_PUBLIC_URL: the notice's `url` links to the run page there. */
  publicUrl?: string | undefined;
  logger: Logger;
  /** Called once per URL when its delivery ends (the Redis counter of `/metrics`); its errors are logged. */
  onDelivery?: ((result: DeliveryResult) => Promise<void> | void) | undefined;
  /** Per attempt; default 10,000. */
  timeoutMs?: number | undefined;
  /** Default 3. */
  maxAttempts?: number | undefined;
  /** Default 1,000 (then 2,000: full jitter below these ceilings). */
  baseDelayMs?: number | undefined;
  fetch?: typeof fetch | undefined;
  sleep?: PostNoticeOptions['sleep'] | undefined;
  random?: (() => number) | undefined;
}

/** Sends run notifications; deliveries run in the background of the caller that awaits them or not. */
export interface Notifier {
  /** Whether ORGSYNC_NOTIFY_ON asks for a run with this verdict. */
  wants(verdict: RunVerdict): boolean;
  /**
   * POSTs the run's notice to every URL (each with its own tries) and resolves when every delivery
   * has ended, sent or not: it never rejects. The caller decides whether to wait (the CLI does;
   * a worker waits a little, see `src/app/run-notifications.ts`).
   */
  send(run: NoticeRun): Promise<RunNotice>;
  /** Waits for deliveries in flight, at most `deadlineMs` (default 10,000), then abandons them. Idempotent. */
  close(deadlineMs?: number): Promise<void>;
}

const VERDICTS_OF: Readonly<Record<NotifyOn, readonly RunVerdict[]>> = {
  failure: ['failed'],
  drift: ['failed', 'drift'],
  always: ['failed', 'drift', 'ok'],
};

/**
 * Where a delivery went, for logs: the URL's origin and its place in the list. Never the path or
 * the query (a chat webhook's token lives there), nor credentials.
 */
function describeTarget(url: URL, index: number, count: number): string {
  return count === 1 ? url.origin : `${url.origin} (URL ${index + 1} of ${count})`;
}

/**
 * The notifications of finished runs (ORGSYNC_NOTIFY_URL, docs/operations.md). A failed delivery
 * is logged (its origin and the reason, never the URL's path, query or the secret) and counted;
 * it never fails the run that it describes.
 */
export function createNotifier(options: NotifierOptions): Notifier {
  const urls = options.urls.map((u) => new URL(u));
  const verdicts = VERDICTS_OF[options.on ?? 'failure'];
  const logger = options.logger.child({ component: 'notify' });
  const postOptions: PostNoticeOptions = {
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: options.timeoutMs ?? 10_000,
    maxAttempts: options.maxAttempts ?? 3,
    baseDelayMs: options.baseDelayMs ?? 1_000,
    maxDelayMs: Math.max(options.baseDelayMs ?? 1_000, 5_000),
    signer: options.secret === undefined ? undefined : new Webhook(options.secret),
    sleep: options.sleep ?? realSleep,
    random: options.random ?? Math.random,
    now: Date.now,
  };
  const inFlight = new Set<Promise<unknown>>();
  const abandon = new AbortController();
  let closing: Promise<void> | undefined;

  async function deliver(url: URL, index: number, notice: RunNotice, body: string): Promise<void> {
    const target = describeTarget(url, index, urls.length);
    const fields = { target, run_id: notice.run_id, kind: notice.kind, result: notice.result };
    let result: DeliveryResult;
    try {
      const outcome = await postNotice(url, body, postOptions, abandon.signal);
      result = outcome.sent ? 'sent' : 'failed';
      if (outcome.sent) logger.info({ ...fields, attempts: outcome.attempts }, 'notification sent');
      else logger.warn({ ...fields, attempts: outcome.attempts, reason: outcome.reason }, 'notification failed');
    } catch {
      // Only the shutdown's abort gets here.
      result = 'failed';
      logger.warn(fields, 'notification abandoned: the process is shutting down');
    }
    try {
      await options.onDelivery?.(result);
    } catch (error) {
      logger.warn({ err: error, target }, 'could not count the notification');
    }
  }

  return {
    wants: (verdict) => verdicts.includes(verdict),
    async send(run) {
      const notice = buildRunNotice(run, options.publicUrl);
      const body = JSON.stringify(notice);
      const delivery = Promise.all(urls.map((url, index) => deliver(url, index, notice, body)));
      inFlight.add(delivery);
      try {
        await delivery;
      } finally {
        inFlight.delete(delivery);
      }
      return notice;
    },
    close(deadlineMs = 10_000) {
      closing ??= (async () => {
        if (inFlight.size === 0) return;
        await settleWithin(Promise.allSettled([...inFlight]), deadlineMs);
        abandon.abort(new Error('notifier closed'));
        await Promise.allSettled([...inFlight]);
      })();
      return closing;
    },
  };
}
