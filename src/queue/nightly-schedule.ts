import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { ConfigError } from '../errors.js';
import { jobOptionsFor } from './catalog.js';

/** ID of the job scheduler that starts the nightly sync (one per queue, whatever the number of workers). */
export const NIGHTLY_SCHEDULER_ID = 'nightly-sync';

/** What `scheduleNightlySync` did, and why when it did nothing. */
export type NightlySchedule =
  { scheduled: true; cron: string; timeZone: string; nextRunAt: Date | null } | { scheduled: false; reason: string };

/**
 * Registers (or updates) the nightly sync's job scheduler with the configured cron and time zone
 * (ORGSYNC_NIGHTLY_CRON, ORGSYNC_NIGHTLY_TZ; default `0 2 * * *` UTC). Upserting is idempotent, so
 * every worker may do it at start. Without ORGSYNC_SOURCE nothing is scheduled, and the reason is
 * logged: the worker still processes every other job.
 */
export async function scheduleNightlySync(queue: Queue, config: Config, logger: Logger): Promise<NightlySchedule> {
  if (!config.source) {
    const reason =
      'ORGSYNC_SOURCE is not set on this worker, so there is nothing to sync nightly; set it (e.g. postgres:accounts) to schedule the nightly sync';
    logger.warn({ scheduler: NIGHTLY_SCHEDULER_ID }, `nightly sync not scheduled: ${reason}`);
    return { scheduled: false, reason };
  }
  const cron = config.nightlyCron;
  const timeZone = config.nightlyTimeZone;
  assertTimeZone(timeZone);
  try {
    const next = await queue.upsertJobScheduler(
      NIGHTLY_SCHEDULER_ID,
      { pattern: cron, tz: timeZone },
      { name: 'nightly-sync', data: { trigger: 'schedule' }, opts: jobOptionsFor('nightly-sync') },
    );
    const nextRunAt = next.delay > 0 ? new Date(next.timestamp + next.delay) : null;
    logger.info(
      { scheduler: NIGHTLY_SCHEDULER_ID, cron, tz: timeZone, next_run_at: nextRunAt?.toISOString() ?? null },
      'nightly sync scheduled',
    );
    return { scheduled: true, cron, timeZone, nextRunAt };
  } catch (error) {
    // Most often a bad pattern (BullMQ's cron parser rejects it), but Redis errors land here too.
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError([
      `could not schedule the nightly sync with ORGSYNC_NIGHTLY_CRON=${JSON.stringify(cron)} (e.g. 0 2 * * * for 02:00 every day): ${message}`,
    ]);
  }
}

function assertTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    // RangeError: the runtime does not know this zone.
    throw new ConfigError([
      `ORGSYNC_NIGHTLY_TZ: ${JSON.stringify(timeZone)} is not a time zone — use an IANA name such as UTC or Europe/Paris`,
    ]);
  }
}
