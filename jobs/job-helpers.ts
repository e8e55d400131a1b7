import type { Logger } from 'pino';
import type { z } from 'zod';
import type { DomainRules } from '../src/domain/types.js';
import type { ApplySettings, EngineDeps, SnapshotProvider } from '../src/engine/run.js';
import type { ChildResults } from '../src/job-contract.js';
import type { AccountSource } from '../src/sources/source.js';
import type { ChunkProgress } from '../src/store/chunk-progress.js';
import type { ImportStore } from '../src/store/import-store.js';
import type { KnownState } from '../src/store/known-state.js';
import type { RunHistory } from '../src/store/run-history.js';

/**
 * The helpers bags (style §5.4): job code never imports BullMQ or Redis. Each kind gets only what it
 * uses; `src/app/job-list.ts` builds them for each job.
 */

/** What every job gets. */
export interface BaseHelpers {
  /** Child of the worker's logger with `job_id`, `kind` and `run_id`. */
  logger: Logger;
  /** Aborted when the worker shuts down past its deadline; pass it to every call. */
  signal: AbortSignal;
  jobId: string;
  /** The ID of the run this job performs (`report.run_id`). */
  runId: string;
}

/** What a job that runs the engine gets. */
export interface SyncHelpers extends BaseHelpers {
  /**
   * The engine's collaborators: this job's own Scalekit client (so `api_calls` counts only its
   * calls), the domain rules, and the worker's logger with `job_id` and `kind` (the engine adds `run_id`).
   */
  engine: EngineDeps;
  /**
   * Concurrency, delete thresholds and the per-organization Redis lock (`exclusive`); deletes and
   * adoption are off but for the nightly sync, where ORGSYNC_NIGHTLY_ALLOW_DELETE / _ADOPT turn them on.
   */
  applySettings: ApplySettings;
}

/** `nightly-sync`. */
export interface NightlySyncHelpers extends SyncHelpers {
  /** The host source (ORGSYNC_SOURCE), or `undefined` when this worker has none configured. */
  hostSource(): AccountSource | undefined;
}

/** `bulk-import-chunk`. */
export interface BulkImportChunkHelpers extends SyncHelpers {
  imports: Pick<ImportStore, 'readChunk' | 'readManifest'>;
  /** This job ran before (a failed attempt, or a worker that died mid-chunk): see `JobContext.rerun`. */
  rerun: boolean;
  /** The rows of a chunk whose writes went through, kept across its attempts. */
  chunkProgress(importId: string, chunkIndex: number): ChunkProgress;
  /** The snapshot of Scalekit shared by the chunks of one bulk import (listed once, by the first). */
  importSnapshot(importId: string): SnapshotProvider;
}

/** `bulk-import` (the parent of the chunks). */
export interface BulkImportHelpers extends BaseHelpers {
  /** The rules the rows were checked with at enqueue. */
  rules: DomainRules;
  imports: ImportStore;
  /** What the chunks returned, and which failed for good. */
  childResults(): Promise<ChildResults>;
}

/** `reconcile`. */
export interface ReconcileHelpers extends SyncHelpers {
  /** The host source (ORGSYNC_SOURCE), or `undefined` when this worker has none configured. */
  hostSource(): AccountSource | undefined;
  /** The newest state the host system pushed for this external ID, and the newest organization Scalekit showed. */
  knownState(externalId: string): Promise<KnownState>;
}

/** `retry`. */
export interface RetryHelpers extends SyncHelpers {
  /** The run history: the run to retry, and the account records kept with it. */
  runs: Pick<RunHistory, 'get' | 'retryRecords'>;
  /** The host source (ORGSYNC_SOURCE), or `undefined` when this worker has none configured. */
  hostSource(): AccountSource | undefined;
  /** The newest state the host system pushed for this external ID (the latest-account store). */
  knownState(externalId: string): Promise<KnownState>;
}

/** One job kind: its payload schema (checked at enqueue and again before processing) and its processor. */
export interface JobDefinition<S extends z.ZodType, H, R> {
  schema: S;
  process(payload: z.output<S>, helpers: H): Promise<R>;
}
