import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ApplySettings, EngineDeps, SnapshotProvider } from '../src/engine/run.js';
import type { ReportItem, RunReport } from '../src/engine/types.js';
import type { AccountSource } from '../src/sources/source.js';
import type { KnownState } from './reconcile-state.js';

/** A bulk import's valid rows of one chunk, compact: `columns` names the cells after the line number. */
export interface ChunkRows {
  /** `account_id`, `region`, `display_name`, then the owned metadata keys. */
  columns: string[];
  /**
   * One array per row: the CSV line the record started on, then one cell per column: the text,
   * `null` for an empty cell ("remove the key"), `false` for a column the record did not carry
   * ("not managed in this run": the key is left as it is).
   */
  rows: [number, ...(string | null | false)[]][];
}

/** What `orgsync enqueue bulk-import` learned while reading the file, kept beside the chunks. */
export interface ImportManifest {
  import_id: string;
  /** `csv:PATH` as given on the machine that enqueued it. */
  source: string;
  /** Records read from the file, good and bad (`summary.accounts`). */
  accounts: number;
  chunks: number;
  /** Rows refused before enqueueing (invalid, or conflicting duplicates), with their lines. */
  problems: ReportItem[];
  /** When the file was read (RFC 3339): the report's `started_at`. */
  created_at: string;
  /** Owned keys no row of the file carried (the report's `unmanaged_keys`). */
  unmanaged_keys?: string[] | undefined;
  /** Columns of the file orgsync does not read (the report's `unknown_columns`). */
  unknown_columns?: string[] | undefined;
}

/** Where a bulk import's rows wait for the workers (the queue layer keeps them in Redis with a TTL). */
export interface ImportStore {
  readManifest(importId: string): Promise<ImportManifest | null>;
  readChunk(importId: string, chunkIndex: number): Promise<ChunkRows | null>;
  /** Drops the manifest and every chunk; called once the import's report is recorded. */
  deleteImport(importId: string): Promise<void>;
}

/** The results of a parent job's children: values of those that finished, reasons of those that failed. */
export interface ChildResults {
  values: unknown[];
  failures: { chunkIndex: number; reason: string }[];
}

/**
 * Everything a processor may use (style §5.4): job code never imports BullMQ or Redis. Built by
 * `src/queue/worker.ts` for each job.
 */
export interface JobHelpers {
  /** Child of the worker's logger with `job_id`, `kind` and `run_id`. */
  logger: Logger;
  /** Aborted when the worker shuts down past its deadline; pass it to every call. */
  signal: AbortSignal;
  jobId: string;
  /** The ID of the run this job performs (`report.run_id`). */
  runId: string;
  /** The engine's collaborators: this job's own Scalekit client (so `api_calls` counts only its calls) and the domain rules. */
  engine: EngineDeps;
  /** Concurrency, delete thresholds and the per-organization Redis lock (`exclusive`); deletes and adoption are off. */
  applySettings: ApplySettings;
  /** The snapshot of Scalekit shared by the chunks of one bulk import (listed once, by the first). */
  importSnapshot(importId: string): SnapshotProvider;
  /** The newest state the host system pushed for this external ID, and the newest organization Scalekit showed. */
  knownState(externalId: string): Promise<KnownState>;
  /** The host source (ORGSYNC_SOURCE), or `undefined` when this worker has none configured. */
  hostSource(): AccountSource | undefined;
  imports: ImportStore;
  /** For a parent job (bulk import): what its children returned. */
  childResults(): Promise<ChildResults>;
}

/** What a top-level job produces: its report, and work to do once the report is safely recorded. */
export interface RunOutcome {
  report: RunReport;
  afterRecorded?: (() => Promise<void>) | undefined;
}

/**
 * What a job returns when it found nothing to do and records no run: a Scalekit event that carries
 * exactly what the host system says (the echo of orgsync's own write).
 */
export interface SkippedOutcome {
  skipped: 'echo';
  reason: string;
}

/** One job kind: its payload schema (checked at enqueue and again before processing) and its processor. */
export interface JobDefinition<S extends z.ZodType, R> {
  schema: S;
  process(payload: z.output<S>, helpers: JobHelpers): Promise<R>;
}
