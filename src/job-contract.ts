import type { Logger } from 'pino';
import type { z } from 'zod';
import type { RetryRecord } from './engine/retry-records.js';
import type { RunReport } from './engine/types.js';
import { InvalidPayloadError } from './job-errors.js';

/**
 * The contract between the queue (`src/queue/`, BullMQ plumbing) and the jobs (`jobs/`, one module
 * per kind). Neither imports the other: both import this module, and `src/app.ts` hands the queue
 * its job list, as graphile-worker takes its task list. No BullMQ type appears here.
 */

/** How many finished jobs of a kind are kept: by age (seconds) and by count, whichever comes first. */
export interface JobRetention {
  age: number;
  count: number;
}

/** Retries and retention of a job kind (a subset of BullMQ's job options). */
export interface JobQueueOptions {
  attempts: number;
  /** Exponential backoff between attempts; `delay` in milliseconds. */
  backoff: { type: 'exponential'; delay: number };
  removeOnComplete: JobRetention;
  removeOnFail: JobRetention;
}

/** What the queue knows of a job kind: its payload schema, retries and retention, and whether its runs are recorded. */
export interface JobSpec<S extends z.ZodType = z.ZodType> extends JobQueueOptions {
  /** Checked when a job is enqueued and again when a worker takes it (style §4.6). */
  schema: S;
  /** Whether the kind's runs go into the run history (a bulk import's chunk belongs to its import's run). */
  records: boolean;
}

/** The results of a parent job's children: values of those that finished, reasons of those that failed for good. */
export interface ChildResults {
  values: unknown[];
  /** `jobKey` as BullMQ names the child (`bull:<queue>:<job id>`). */
  failures: { jobKey: string; reason: string }[];
}

/** What the queue gives each job it runs; the composition root turns it into the kind's own helpers. */
export interface JobContext {
  jobId: string;
  /** The ID of the run this job performs (`report.run_id`). */
  runId: string;
  /** The worker's logger with `job_id`, `kind` and `run_id`. */
  logger: Logger;
  /**
   * The worker's logger with `job_id` and `kind` only, for code that binds `run_id` itself (the
   * engine does): binding it twice would write the key twice on one JSON line.
   */
  jobLogger: Logger;
  /** Aborted when the worker shuts down past its deadline. */
  signal: AbortSignal;
  /**
   * The job ran before: an attempt failed (BullMQ `attemptsMade > 0`), or a start ended without
   * one (`attemptsStarted > 1`: its worker died and the job stalled, or it was handed back at
   * shutdown). Its writes may have been partly done.
   */
  rerun: boolean;
  /** For a parent job (a bulk import): what its children returned. */
  childResults(): Promise<ChildResults>;
}

/** What a top-level job produces: its report, and work to do once the report is safely recorded. */
export interface RunOutcome {
  report: RunReport;
  afterRecorded?: (() => Promise<void>) | undefined;
  /** The account records of the failed and stale items, kept with the run for `orgsync retry`. */
  retryRecords?: readonly RetryRecord[] | undefined;
  /** A `retry` run: the run whose items it retried. */
  retryOf?: string | undefined;
}

/**
 * What a job returns when it found nothing to do and records no run: a Scalekit event that carries
 * exactly what the host system says (`echo`: the echo of orgsync's own write), or a reconcile that
 * changed nothing and failed nothing (`noop`). Both are counted, neither fills the run history.
 */
export interface SkippedOutcome {
  skipped: 'echo' | 'noop';
  reason: string;
}

/** Whether a job's result is a `SkippedOutcome`. */
export function isSkippedOutcome(value: unknown): value is SkippedOutcome {
  return typeof value === 'object' && value !== null && 'skipped' in value && 'reason' in value;
}

/** Whether a job's result is a `RunOutcome` (a report to record). */
export function isRunOutcome(value: unknown): value is RunOutcome {
  return typeof value === 'object' && value !== null && 'report' in value;
}

/** A plain description of a parent job and its children, added at once (a BullMQ flow). */
export interface JobFlow {
  kind: string;
  jobId: string;
  payload: unknown;
  options: JobQueueOptions;
  children: {
    kind: string;
    jobId: string;
    payload: unknown;
    options: JobQueueOptions;
    /** The parent still runs when this child fails for good. */
    ignoreDependencyOnFailure?: boolean;
  }[];
}

/** Checks a payload against its kind's schema; throws `InvalidPayloadError` listing every problem. */
export function parseJobPayload<S extends z.ZodType>(kind: string, schema: S, payload: unknown): z.output<S> {
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  throw new InvalidPayloadError(
    kind,
    result.error.issues.map(
      (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(payload)'}: ${issue.message}`,
    ),
  );
}
