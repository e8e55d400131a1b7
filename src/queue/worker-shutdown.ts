import type { Worker } from 'bullmq';
import type { Logger } from 'pino';

/** The jobs a worker is running, as promises that settle when each one ends. */
export type InFlightJobs = Set<Promise<unknown>>;

/** Options of `shutDownWorker`. */
export interface ShutdownOptions {
  /** How long running jobs may go on before they are aborted, in milliseconds. */
  deadlineMs: number;
  /** How long aborted jobs get to hand themselves back to the queue, in milliseconds. Default 5,000. */
  abortGraceMs?: number;
  logger: Logger;
  /** Called once the deadline has passed, just before the running jobs are aborted. */
  onAbort?: () => void;
}

/**
 * Stops a BullMQ worker within a deadline (style §7): stop taking jobs, let the running ones finish
 * until the deadline, then abort them (they hand themselves back to the queue) and give them a
 * grace period. BullMQ's `close()` waits for running jobs forever and memoises its first call, so a
 * later `close(true)` could not force it: the waiting is done here, and `close(true)` is the first
 * call when some job ignored its abort signal (its lock then expires and another worker takes it).
 */
export async function shutDownWorker(worker: Worker, inFlight: InFlightJobs, options: ShutdownOptions): Promise<void> {
  await worker.pause(true);
  let drained = await settleWithin(inFlight, options.deadlineMs);
  if (!drained) {
    options.logger.warn(
      { jobs: inFlight.size, deadline_ms: options.deadlineMs },
      'jobs still running at the shutdown deadline: aborting them and handing them back to the queue',
    );
    options.onAbort?.();
    worker.cancelAllJobs('worker shutting down');
    drained = await settleWithin(inFlight, options.abortGraceMs ?? 5_000);
    if (!drained)
      options.logger.warn(
        { jobs: inFlight.size },
        'jobs ignored their abort signal; closing without them (another worker takes them once their locks expire)',
      );
  }
  await worker.close(!drained);
}

/** Resolves `true` once no job is in flight, or `false` at the deadline. */
async function settleWithin(inFlight: InFlightJobs, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  try {
    // A job fetched just before the pause may start after it: loop until the set stays empty.
    while (inFlight.size > 0) {
      const leftMs = deadline - Date.now();
      if (leftMs <= 0) return false;
      const expired = new Promise<'expired'>((resolve) => {
        timer = setTimeout(() => resolve('expired'), leftMs);
        timer.unref();
      });
      const outcome = await Promise.race([Promise.allSettled([...inFlight]), expired]);
      clearTimeout(timer);
      if (outcome === 'expired') return inFlight.size === 0;
    }
    return true;
  } finally {
    clearTimeout(timer);
  }
}
