import type { JobsOptions } from 'bullmq';
import type { z } from 'zod';
import { bulkImportJob } from '../../jobs/bulk-import.js';
import { bulkImportChunkJob } from '../../jobs/bulk-import-chunk.js';
import { InvalidPayloadError } from '../job-errors.js';
import { nightlySyncJob } from '../../jobs/nightly-sync.js';
import { reconcileJob } from '../../jobs/reconcile.js';

const HOUR_S = 3_600;
const DAY_S = 24 * HOUR_S;

/**
 * Every job kind (style §4.6): name → payload schema, processor, retries and retention. `records`
 * says whether the kind's runs go into the run history (a chunk belongs to its import's run).
 * Retention: finished jobs are removed by age (seconds) and count, whichever comes first.
 */
export const CATALOG = {
  'nightly-sync': {
    job: nightlySyncJob,
    records: true,
    attempts: 3,
    backoff: { type: 'exponential', delay: 60_000 },
    removeOnComplete: { age: 7 * DAY_S, count: 50 },
    removeOnFail: { age: 30 * DAY_S, count: 100 },
  },
  'bulk-import': {
    job: bulkImportJob,
    records: true,
    attempts: 3,
    backoff: { type: 'exponential', delay: 10_000 },
    removeOnComplete: { age: 7 * DAY_S, count: 100 },
    removeOnFail: { age: 30 * DAY_S, count: 100 },
  },
  'bulk-import-chunk': {
    job: bulkImportChunkJob,
    records: false,
    attempts: 5,
    backoff: { type: 'exponential', delay: 5_000 },
    // A chunk's result lives on in its parent once it completes; the job itself can go soon.
    removeOnComplete: { age: HOUR_S, count: 10_000 },
    removeOnFail: { age: 7 * DAY_S, count: 10_000 },
  },
  reconcile: {
    job: reconcileJob,
    records: true,
    attempts: 5,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: { age: DAY_S, count: 1_000 },
    removeOnFail: { age: 7 * DAY_S, count: 1_000 },
  },
} as const satisfies Record<
  string,
  { job: { schema: z.ZodType }; records: boolean } & Pick<
    JobsOptions,
    'attempts' | 'backoff' | 'removeOnComplete' | 'removeOnFail'
  >
>;

/** The name of a job kind (the BullMQ job name). */
export type JobKind = keyof typeof CATALOG;
/** A payload as a caller writes it (defaults not yet applied). */
export type PayloadInput<K extends JobKind> = z.input<(typeof CATALOG)[K]['job']['schema']>;
/** A payload after its schema (defaults applied). */
export type Payload<K extends JobKind> = z.output<(typeof CATALOG)[K]['job']['schema']>;

/** The kinds anyone may enqueue directly (a bulk import goes through `enqueueBulkImport`). */
export const ENQUEUE_KINDS = ['nightly-sync', 'reconcile'] as const satisfies readonly JobKind[];
export type EnqueueKind = (typeof ENQUEUE_KINDS)[number];

/** Whether a BullMQ job name is one of ours. */
export function isJobKind(name: string): name is JobKind {
  return Object.hasOwn(CATALOG, name);
}

/** Retries and retention of a kind, as BullMQ job options. */
export function jobOptionsFor(kind: JobKind): JobsOptions {
  const { attempts, backoff, removeOnComplete, removeOnFail } = CATALOG[kind];
  return {
    attempts,
    backoff: { ...backoff },
    removeOnComplete: { ...removeOnComplete },
    removeOnFail: { ...removeOnFail },
  };
}

const SCHEMAS: { [K in JobKind]: z.ZodType<Payload<K>, PayloadInput<K>> } = {
  'nightly-sync': CATALOG['nightly-sync'].job.schema,
  'bulk-import': CATALOG['bulk-import'].job.schema,
  'bulk-import-chunk': CATALOG['bulk-import-chunk'].job.schema,
  reconcile: CATALOG.reconcile.job.schema,
};

/** Checks a payload against its kind's schema; throws `InvalidPayloadError` listing every problem. */
export function parsePayload<K extends JobKind>(kind: K, payload: unknown): Payload<K> {
  const schema: z.ZodType<Payload<K>, PayloadInput<K>> = SCHEMAS[kind];
  const result = schema.safeParse(payload);
  if (result.success) return result.data;
  throw new InvalidPayloadError(
    kind,
    result.error.issues.map(
      (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(payload)'}: ${issue.message}`,
    ),
  );
}
