import { z } from 'zod';
import { parseAccount } from '../src/domain/account.js';
import { retryRecordsOf } from '../src/engine/retry-records.js';
import { runSync } from '../src/engine/run.js';
import type { ReportItem } from '../src/engine/types.js';
import type { ChunkProgress } from '../src/store/chunk-progress.js';
import { reportItemSchema } from '../src/store/report-schema.js';
import type { SourceRecord } from '../src/domain/account-record.js';
import { createInMemorySource } from './in-memory-source.js';
import { PermanentJobError } from '../src/job-errors.js';
import type { ChunkRows } from '../src/store/import-store.js';
import type { BulkImportChunkHelpers, JobDefinition } from './job-helpers.js';

/** `bulk-import-chunk`: which chunk of which import; the rows themselves wait in the import store. */
export const bulkImportChunkPayloadSchema = z.strictObject({
  import_id: z.string().min(1).max(100),
  chunk_index: z.number().int().nonnegative(),
});

/** What a chunk hands its parent: the part of the import's report that its rows make. */
export const chunkResultSchema = z.object({
  chunk_index: z.number().int().nonnegative(),
  accounts: z.number().int().nonnegative(),
  unchanged: z.number().int().nonnegative(),
  api_calls: z.number().int().nonnegative(),
  items: z.array(reportItemSchema),
  /** The account records of the chunk's failed and stale items, kept with the import's run for `orgsync retry`. */
  retry_records: z
    .array(
      z.object({
        external_id: z.string(),
        line: z.number().int().nullable(),
        values: z.record(z.string(), z.string().nullable()),
      }),
    )
    .default([]),
});
export type ChunkResult = z.output<typeof chunkResultSchema>;

/** The records of a chunk, as a source would have yielded them (the engine parses them again). */
export function chunkRecords(chunk: ChunkRows): SourceRecord[] {
  return chunk.rows.map(([line, ...cells]) => ({
    line,
    // A `false` cell is a column the row did not carry: it stays out, so its key is not managed.
    values: Object.fromEntries(
      chunk.columns.flatMap((column, i) => (cells[i] === false ? [] : [[column, cells[i] ?? null]])),
    ),
  }));
}

/**
 * One chunk of a bulk import: `runSync` in apply mode, partial scope, over its rows. Each row whose
 * write goes through is recorded in the chunk's progress record; a rerun (after a failed attempt or
 * a worker that died mid-chunk) reports those rows as they were written and applies only the rest,
 * so it sends no second create for them (the import's snapshot predates them: each would meet a
 * 409 and cost a lookup). Running it again is safe either way: apply turns a 409 into an update.
 */
export const bulkImportChunkJob: JobDefinition<
  typeof bulkImportChunkPayloadSchema,
  BulkImportChunkHelpers,
  ChunkResult
> = {
  schema: bulkImportChunkPayloadSchema,
  async process(payload, helpers) {
    const chunk = await helpers.imports.readChunk(payload.import_id, payload.chunk_index);
    if (!chunk) {
      throw new PermanentJobError(
        `the rows of chunk ${payload.chunk_index} of import ${payload.import_id} are gone (expired or deleted); enqueue the file again`,
      );
    }
    const manifest = await helpers.imports.readManifest(payload.import_id);
    const progress = helpers.chunkProgress(payload.import_id, payload.chunk_index);
    const { pending, written } = await skipWrittenRows(chunkRecords(chunk), progress, helpers);
    const source = createInMemorySource(manifest?.source ?? `import:${payload.import_id}`, pending);
    const { report, plan } = await runSync(helpers.engine, {
      ...helpers.applySettings,
      mode: 'apply',
      scope: 'partial',
      source,
      snapshot: helpers.importSnapshot(payload.import_id),
      signal: helpers.signal,
      runId: helpers.runId,
      onWritten: (item) =>
        progress
          .record(item)
          .catch((error: unknown) =>
            helpers.logger.warn(
              { err: error, external_id: item.external_id },
              'could not record a written row in the chunk progress; a retry would write it again',
            ),
          ),
    });
    return {
      chunk_index: payload.chunk_index,
      accounts: report.summary.accounts + written.length,
      unchanged: report.summary.unchanged,
      api_calls: report.summary.api_calls,
      items: [...written, ...report.items],
      retry_records: retryRecordsOf(report, plan.items, helpers.engine.rules.regions),
    };
  },
};

/**
 * On a rerun, the rows an earlier attempt wrote (the chunk's progress record), by their report
 * items, and the records still to apply. A first attempt reads nothing.
 */
async function skipWrittenRows(
  records: SourceRecord[],
  progress: ChunkProgress,
  helpers: BulkImportChunkHelpers,
): Promise<{ pending: SourceRecord[]; written: ReportItem[] }> {
  if (!helpers.rerun) return { pending: records, written: [] };
  const done = await progress.read();
  if (done.size === 0) return { pending: records, written: [] };
  const pending: SourceRecord[] = [];
  const written: ReportItem[] = [];
  for (const record of records) {
    // The rows were checked at enqueue: the domain rules give back the external ID the engine uses.
    const parsed = parseAccount(record, helpers.engine.rules);
    const item = parsed.ok ? done.get(parsed.account.externalId) : undefined;
    if (item) written.push(item);
    else pending.push(record);
  }
  helpers.logger.info(
    { rows_written: written.length, rows_pending: pending.length },
    'rerun of a chunk: rows an earlier attempt wrote are reported, not written again',
  );
  return { pending, written };
}
