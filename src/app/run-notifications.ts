import type { Logger } from 'pino';
import { parsePayload, type Payload } from '../../jobs/catalog.js';
import { reconcileDeduplicationId } from '../../jobs/reconcile.js';
import type { Config } from '../config.js';
import { settleWithin } from '../lifecycle.js';
import { runVerdictOf } from '../engine/run-verdict.js';
import { createNotifier, type Notifier } from '../notify/notifier.js';
import type { RecordedRun, RunRecordedHook } from '../queue/job-processor.js';
import type { NoticeThrottle } from '../store/notice-throttle.js';
import type { NotificationCounter } from '../store/notification-counter.js';

/** How long a job waits for its run's notifications before it ends anyway (they go on in the background). */
export const NOTIFY_GRACE_MS = 2_000;

/** A reconcile failure is notified at most once per external ID in this window. */
export const RECONCILE_NOTICE_WINDOW_S = 3_600;

/** The notifier of ORGSYNC_NOTIFY_URL, or `undefined` when none is set; deliveries are counted in `counter`. */
export function notifierFromConfig(
  config: Pick<Config, 'notifyUrls' | 'notifyOn' | 'notifySecret' | 'publicUrl'>,
  logger: Logger,
  counter?: NotificationCounter,
): Notifier | undefined {
  if (config.notifyUrls.length === 0) return undefined;
  return createNotifier({
    urls: config.notifyUrls,
    on: config.notifyOn,
    secret: config.notifySecret,
    publicUrl: config.publicUrl,
    logger,
    onDelivery: counter ? (result) => counter.count(result) : undefined,
  });
}

/** Options of `notifyRecordedRuns`. */
export interface RecordedRunNotificationsOptions {
  notifier: Notifier;
  /** One notification per reconciled external ID per hour (`SET NX EX` in Redis). */
  reconcileThrottle: NoticeThrottle;
  logger: Logger;
  /** Default `NOTIFY_GRACE_MS`. */
  graceMs?: number | undefined;
}

/** The external ID a reconcile was about (`org:<id>` when it named an organization only). */
function reconcileSubject(payload: unknown): string | undefined {
  try {
    const parsed: Payload<'reconcile'> = parsePayload('reconcile', payload);
    return reconcileDeduplicationId(parsed);
  } catch {
    // Recorded runs passed this schema already; a payload that no longer does has no subject.
    return undefined;
  }
}

/**
 * The worker's hook on recorded runs: a nightly sync or a bulk import is notified as
 * ORGSYNC_NOTIFY_ON asks; a reconcile only when it failed, and at most once per external ID per
 * hour. The job waits for the notification at most `graceMs`: the run is already recorded, and
 * the deliveries go on in the background (the notifier's `close` waits for them at shutdown).
 */
export function notifyRecordedRuns(options: RecordedRunNotificationsOptions): RunRecordedHook {
  const { notifier, logger } = options;
  async function notify({ summary, payload }: RecordedRun): Promise<void> {
    const verdict = runVerdictOf(summary.counts);
    if (summary.kind === 'reconcile') {
      if (verdict !== 'failed') return;
      const subject = reconcileSubject(payload) ?? `run:${summary.run_id}`;
      if (!(await options.reconcileThrottle.claim(`reconcile:${subject}`))) {
        logger.info(
          { run_id: summary.run_id },
          'reconcile failure not notified: its account was notified within the hour',
        );
        return;
      }
    } else if (!notifier.wants(verdict)) return;
    await notifier.send({
      runId: summary.run_id,
      kind: summary.kind,
      summary: summary.counts,
      startedAt: summary.started_at,
      finishedAt: summary.finished_at,
      error: summary.error,
    });
  }
  return (run) => settleWithin(notify(run), options.graceMs ?? NOTIFY_GRACE_MS);
}
