import type { z } from 'zod';
import type { JobContext, JobSpec } from '../job-contract.js';

/**
 * One job kind as the worker runs it: its spec, and `run`, which the composition root binds to the
 * kind's processor and helpers. The queue never imports a job: it takes this list.
 */
export interface QueueJob<S extends z.ZodType = z.ZodType> extends JobSpec<S> {
  /** Runs one job whose payload passed `schema`. Errors are thrown as they are (see `classifyJobError`; `worker.ts` maps them to BullMQ). */
  run(payload: z.output<S>, context: JobContext): Promise<unknown>;
}

/** Every job kind a worker runs, by kind (the BullMQ job name). */
export type JobList = Readonly<Record<string, QueueJob>>;
