import type { JobsOptions } from 'bullmq';
import type { JobQueueOptions } from '../job-contract.js';

/** A kind's retries and retention as BullMQ job options: fresh objects each time (BullMQ may keep them). */
export function bullJobOptions(options: JobQueueOptions): JobsOptions {
  return {
    attempts: options.attempts,
    backoff: { ...options.backoff },
    removeOnComplete: { ...options.removeOnComplete },
    removeOnFail: { ...options.removeOnFail },
  };
}
