import type { Queue } from 'bullmq';
import { realSleep, type Sleep } from '../scalekit/sleep.js';

/** How a followed job ended. */
export type JobEnd = { state: 'completed'; result: unknown } | { state: 'failed'; reason: string };

/** Options of `waitForJob`. */
export interface WaitForJobOptions {
  /** Called when the job's state changes (`waiting`, `active`, `waiting-children`, ...). */
  onState?: (state: string) => void;
  /** First interval between polls; it grows to `maxPollMs`. Default 200 ms. */
  pollMs?: number;
  /** Default 2,000 ms. */
  maxPollMs?: number;
  signal?: AbortSignal;
  sleep?: Sleep;
}

/**
 * Follows a job until it completes or fails for good (`enqueue --wait`). Polls the job's state,
 * which survives reconnects (on a producer connection a poll waits while Redis restarts) and works
 * for a flow's parent as for any job; the job itself is read once its state says it ended, so its
 * return value is there. Throws when the job disappears (removed by retention or by hand) before it ends.
 */
export async function waitForJob(queue: Queue, jobId: string, options: WaitForJobOptions = {}): Promise<JobEnd> {
  const sleep = options.sleep ?? realSleep;
  const maxPollMs = options.maxPollMs ?? 2_000;
  let pollMs = options.pollMs ?? 200;
  let last: string | undefined;
  const gone = () => new Error(`job ${jobId} is not on queue ${queue.name} (removed, or never added)`);
  for (;;) {
    const state = await queue.getJobState(jobId);
    if (state === 'unknown') throw gone();
    if (state !== last) {
      last = state;
      options.onState?.(state);
    }
    if (state === 'completed' || state === 'failed') {
      // Read after its state says it ended: a job read earlier has no return value or reason yet.
      const job = await queue.getJob(jobId);
      if (!job) throw gone();
      if (state === 'failed') return { state, reason: job.failedReason };
      const result: unknown = job.returnvalue;
      return { state, result };
    }
    await sleep(pollMs, options.signal);
    pollMs = Math.min(maxPollMs, pollMs * 1.5);
  }
}
