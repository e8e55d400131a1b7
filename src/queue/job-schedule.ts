import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import { ConfigError } from '../errors.js';
import type { JobQueueOptions } from '../job-contract.js';
import { bullJobOptions } from './bull-job-options.js';

/**
 * A job the worker keeps scheduled with a BullMQ job scheduler (one per queue, whatever the number
 * of workers), or why it cannot be (`unavailable`). `label` names it in messages (`nightly sync`);
 * `cronSetting` and `timeZoneSetting` name the settings behind `cron` and `timeZone`.
 */
export type JobSchedule = { id: string; label: string } & (
  | {
      kind: string;
      payload: unknown;
      options: JobQueueOptions;
      cron: string;
      timeZone: string;
      cronSetting: string;
      timeZoneSetting: string;
    }
  | { unavailable: string }
);

/** What `scheduleJob` did, and why when it did nothing. */
export type ScheduleResult =
  { scheduled: true; cron: string; timeZone: string; nextRunAt: Date | null } | { scheduled: false; reason: string };

/**
 * Registers (or updates) a job scheduler with its cron and time zone. Upserting is idempotent, so
 * every worker may do it at start. An unavailable schedule is logged with its reason: the worker
 * still processes every other job.
 */
export async function scheduleJob(queue: Queue, schedule: JobSchedule, logger: Logger): Promise<ScheduleResult> {
  if ('unavailable' in schedule) {
    logger.warn({ scheduler: schedule.id }, `${schedule.label} not scheduled: ${schedule.unavailable}`);
    return { scheduled: false, reason: schedule.unavailable };
  }
  const { cron, timeZone } = schedule;
  assertTimeZone(timeZone, schedule.timeZoneSetting);
  try {
    const next = await queue.upsertJobScheduler(
      schedule.id,
      { pattern: cron, tz: timeZone },
      { name: schedule.kind, data: schedule.payload, opts: bullJobOptions(schedule.options) },
    );
    const nextRunAt = next.delay > 0 ? new Date(next.timestamp + next.delay) : null;
    logger.info(
      { scheduler: schedule.id, cron, tz: timeZone, next_run_at: nextRunAt?.toISOString() ?? null },
      `${schedule.label} scheduled`,
    );
    return { scheduled: true, cron, timeZone, nextRunAt };
  } catch (error) {
    // Most often a bad pattern (BullMQ's cron parser rejects it), but Redis errors land here too.
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError([
      `could not schedule the ${schedule.label} with ${schedule.cronSetting}=${JSON.stringify(cron)} (e.g. 0 2 * * * for 02:00 every day): ${message}`,
    ]);
  }
}

function assertTimeZone(timeZone: string, setting: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    // RangeError: the runtime does not know this zone.
    throw new ConfigError([
      `${setting}: ${JSON.stringify(timeZone)} is not a time zone — use an IANA name such as UTC or Europe/Paris`,
    ]);
  }
}
