import { z } from 'zod';
import { parseAccount } from '../src/domain/account.js';
import { buildReport } from '../src/engine/report.js';
import type { RetryRecord } from '../src/engine/retry-records.js';
import type { ReportItem } from '../src/engine/types.js';
import { chunkRecords, chunkResultSchema, type ChunkResult } from './bulk-import-chunk.js';
import { PermanentJobError } from '../src/job-errors.js';
import type { RunOutcome } from '../src/job-contract.js';
import { chunkIndexOfJobKey } from './chunk-job-id.js';
import type { BulkImportHelpers, JobDefinition } from './job-helpers.js';
import { triggerSchema } from './triggers.js';

/** `bulk-import` (the parent of the chunks): a reference to the import's manifest and chunks. */
export const bulkImportPayloadSchema = z.strictObject({
  import_id: z.string().min(1).max(100),
  chunks: z.number().int().nonnegative(),
  trigger: triggerSchema.default('cli'),
});

/**
 * Runs once every chunk has finished (or failed for good): gathers the chunks' results and the
 * rows refused at enqueue into one report, then, once it is recorded, deletes the import's rows.
 * Rows of a chunk that failed are reported as `failed`, one item per row, so every row is counted.
 */
export const bulkImportJob: JobDefinition<typeof bulkImportPayloadSchema, BulkImportHelpers, RunOutcome> = {
  schema: bulkImportPayloadSchema,
  async process(payload, helpers) {
    const manifest = await helpers.imports.readManifest(payload.import_id);
    if (!manifest)
      throw new PermanentJobError(
        `the manifest of import ${payload.import_id} is gone (expired or deleted); enqueue the file again`,
      );
    const { values, failures } = await helpers.childResults();
    const results: ChunkResult[] = values.map((value) => chunkResultSchema.parse(value));
    const items: ReportItem[] = [...manifest.problems];
    const retryRecords: RetryRecord[] = [];
    let accountedFor = manifest.problems.length;
    let unchanged = 0;
    let apiCalls = 0;
    for (const result of results) {
      items.push(...result.items);
      retryRecords.push(...result.retry_records);
      accountedFor += result.accounts;
      unchanged += result.unchanged;
      apiCalls += result.api_calls;
    }
    for (const failure of failures) {
      const failed = await failedChunkItems(
        helpers,
        payload.import_id,
        chunkIndexOfJobKey(failure.jobKey) ?? -1,
        failure.reason,
      );
      items.push(...failed.items);
      retryRecords.push(...failed.retryRecords);
      accountedFor += failed.items.length;
    }
    if (accountedFor !== manifest.accounts) {
      helpers.logger.warn(
        { import_id: payload.import_id, rows: manifest.accounts, accounted_for: accountedFor },
        'the chunks do not account for every row of the import',
      );
    }
    items.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    const report = buildReport({
      runId: helpers.runId,
      mode: 'apply',
      scope: 'partial',
      source: manifest.source,
      startedAt: new Date(manifest.created_at),
      accounts: manifest.accounts,
      unchanged,
      items,
      apiCalls,
      unmanagedKeys: manifest.unmanaged_keys,
      unknownColumns: manifest.unknown_columns,
    });
    // The rows of failed and stale items outlive the import's chunks: `orgsync retry` reads them from the run.
    return { report, retryRecords, afterRecorded: () => helpers.imports.deleteImport(payload.import_id) };
  },
};

async function failedChunkItems(
  helpers: BulkImportHelpers,
  importId: string,
  chunkIndex: number,
  reason: string,
): Promise<{ items: ReportItem[]; retryRecords: RetryRecord[] }> {
  const chunk = await helpers.imports.readChunk(importId, chunkIndex);
  if (!chunk)
    throw new PermanentJobError(
      `chunk ${chunkIndex} of import ${importId} failed (${reason}) and its rows are gone, so the report cannot list them`,
    );
  const retryRecords: RetryRecord[] = [];
  const items = chunkRecords(chunk).map((record): ReportItem => {
    // The rows were checked at enqueue: the domain rules give back their external ID (region
    // lower-cased, cells trimmed) exactly as the chunk would have used it.
    const parsed = parseAccount(record, helpers.rules);
    const account = parsed.ok ? parsed.account : null;
    // With the region it was given (`--region` fills rows without one), so the worker's rules read it the same.
    if (account)
      retryRecords.push({
        external_id: account.externalId,
        line: record.line,
        values: { ...record.values, account_id: account.accountId, region: account.region },
      });
    return {
      external_id: account?.externalId ?? null,
      account_id: account?.accountId ?? record.values.account_id ?? null,
      line: record.line,
      action: 'failed',
      org_id: null,
      changes: [],
      error: {
        code: 'ERR_CHUNK_FAILED',
        message: `the chunk holding this row failed after its retries: ${reason}; run the import again`,
      },
    };
  });
  return { items, retryRecords };
}
