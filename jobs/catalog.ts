import type { z } from 'zod';
import { parseJobPayload, type JobQueueOptions, type JobSpec } from '../src/job-contract.js';
import { bulkImportJob } from './bulk-import.js';
import { bulkImportChunkJob } from './bulk-import-chunk.js';
import type { JobDefinition } from './job-helpers.js';
import { nightlySyncJob } from './nightly-sync.js';
import { reconcileJob } from './reconcile.js';
import { retryJob } from './retry.js';

const HOUR_S = 3_600;
const DAY_S = 24 * HOUR_S;

/** Every job kind (the BullMQ job name) and its definition: payload schema and processor (style §4.6). */
export const JOBS = {
  'nightly-sync': nightlySyncJob,
  'bulk-import': bulkImportJob,
  'bulk-import-chunk': bulkImportChunkJob,
  reconcile: reconcileJob,
  retry: retryJob,
};

type Jobs = typeof JOBS;
/** The name of a job kind (the BullMQ job name). */
export type JobKind = keyof Jobs;
/** A payload as a caller writes it (defaults not yet applied). */
export type PayloadInput<K extends JobKind> = z.input<Jobs[K]['schema']>;
/** A payload after its schema (defaults applied). */
export type Payload<K extends JobKind> = z.output<Jobs[K]['schema']>;
/** The payload schema of a kind. */
export type PayloadSchema<K extends JobKind> = z.ZodType<Payload<K>, PayloadInput<K>>;
/** The helpers a kind's processor takes: each kind gets only what it uses. */
export type HelpersOf<K extends JobKind> = Parameters<Jobs[K]['process']>[1];
/** What a kind's processor returns. */
export type ResultOf<K extends JobKind> = Awaited<ReturnType<Jobs[K]['process']>>;

/**
 * The same definitions as a mapped type over the kinds: indexed with a generic kind, TypeScript
 * keeps payload, helpers and result together, so one generic function serves every kind.
 */
const DEFINITIONS: { [K in JobKind]: JobDefinition<PayloadSchema<K>, HelpersOf<K>, ResultOf<K>> } = JOBS;

/**
 * Retries and retention of every kind. `records` says whether the kind's runs go into the run
 * history (a chunk belongs to its import's run). Retention: finished jobs are removed by age
 * (seconds) and count, whichever comes first.
 */
export const CATALOG: { [K in JobKind]: JobQueueOptions & { records: boolean } } = {
  'nightly-sync': {
    records: true,
    attempts: 3,
    backoff: { type: 'exponential', delay: 60_000 },
    removeOnComplete: { age: 7 * DAY_S, count: 50 },
    removeOnFail: { age: 30 * DAY_S, count: 100 },
  },
  'bulk-import': {
    records: true,
    attempts: 3,
    backoff: { type: 'exponential', delay: 10_000 },
    removeOnComplete: { age: 7 * DAY_S, count: 100 },
    removeOnFail: { age: 30 * DAY_S, count: 100 },
  },
  'bulk-import-chunk': {
    records: false,
    attempts: 5,
    backoff: { type: 'exponential', delay: 5_000 },
    // A chunk's result lives on in its parent once it completes; the job itself can go soon.
    removeOnComplete: { age: HOUR_S, count: 10_000 },
    removeOnFail: { age: 7 * DAY_S, count: 10_000 },
  },
  reconcile: {
    records: true,
    attempts: 5,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: { age: DAY_S, count: 1_000 },
    removeOnFail: { age: 7 * DAY_S, count: 1_000 },
  },
  retry: {
    records: true,
    attempts: 5,
    backoff: { type: 'exponential', delay: 2_000 },
    removeOnComplete: { age: 7 * DAY_S, count: 100 },
    removeOnFail: { age: 30 * DAY_S, count: 100 },
  },
};

/** The kinds anyone may enqueue directly (a bulk import goes through `enqueueBulkImport`). */
export const ENQUEUE_KINDS = ['nightly-sync', 'reconcile', 'retry'] as const satisfies readonly JobKind[];
export type EnqueueKind = (typeof ENQUEUE_KINDS)[number];

/** Whether a BullMQ job name is one of ours. */
export function isJobKind(name: string): name is JobKind {
  return Object.hasOwn(JOBS, name);
}

/** Every job kind. */
export const JOB_KINDS: readonly JobKind[] = Object.keys(JOBS).filter(isJobKind);

/** Retries and retention of a kind, as (fresh) BullMQ job options. */
export function jobOptionsFor(kind: JobKind): JobQueueOptions {
  const { attempts, backoff, removeOnComplete, removeOnFail } = CATALOG[kind];
  return {
    attempts,
    backoff: { ...backoff },
    removeOnComplete: { ...removeOnComplete },
    removeOnFail: { ...removeOnFail },
  };
}

/** What the queue needs to know of a kind: schema, retries, retention, whether runs are recorded. */
export function jobSpecOf<K extends JobKind>(kind: K): JobSpec<PayloadSchema<K>> {
  return { schema: DEFINITIONS[kind].schema, records: CATALOG[kind].records, ...jobOptionsFor(kind) };
}

/** Checks a payload against its kind's schema; throws `InvalidPayloadError` listing every problem. */
export function parsePayload<K extends JobKind>(kind: K, payload: unknown): Payload<K> {
  return parseJobPayload(kind, DEFINITIONS[kind].schema, payload);
}

/** Runs a kind's processor: the one call for every kind. */
export function processJob<K extends JobKind>(
  kind: K,
  payload: Payload<K>,
  helpers: HelpersOf<K>,
): Promise<ResultOf<K>> {
  return DEFINITIONS[kind].process(payload, helpers);
}
