import { randomUUID } from 'node:crypto';
import { parseAccount } from '../src/domain/account.js';
import { createDuplicateDetector, partitionDuplicates } from '../src/domain/duplicates.js';
import type { Account, DomainRules, RowProblem } from '../src/domain/types.js';
import { createColumnCensus } from '../src/engine/column-census.js';
import type { ReportItem } from '../src/engine/types.js';
import type { JobFlow } from '../src/job-contract.js';
import type { AccountSource } from '../src/sources/source.js';
import type { ChunkRows, ImportManifest, RedisImportStore } from '../src/store/import-store.js';
import { jobOptionsFor, parsePayload } from './catalog.js';
import { chunkJobId } from './chunk-job-id.js';

/** Default rows per chunk (`--chunk-size`). */
export const DEFAULT_CHUNK_SIZE = 1_000;

/** Where `submitBulkImport` puts an import: its rows in the import store, its jobs on the queue (one flow). */
export interface BulkImportTarget {
  store: Pick<RedisImportStore, 'writeChunk' | 'writeManifest' | 'deleteImport'>;
  addFlow(flow: JobFlow): Promise<void>;
}

/** What `submitBulkImport` needs. */
export interface BulkImportInput {
  /** The file, read here: it may exist only on this machine. */
  source: AccountSource;
  /** The rules the rows are checked with (the same as the workers'). */
  rules: DomainRules;
  /** Valid rows per chunk job. Default 1,000. */
  chunkSize?: number;
  trigger?: 'cli' | 'api';
  /** Lifetime of the rows in Redis, in seconds (given to the import store). Default 7 days. */
  ttlSeconds?: number;
  signal?: AbortSignal;
}

/** What was enqueued. */
export interface BulkImportEnqueued {
  /** The parent job: the one to follow, whose result is the import's report. */
  jobId: string;
  importId: string;
  chunks: number;
  /** Records read, good and bad. */
  accounts: number;
  /** Rows refused here (invalid, or conflicting duplicates), with their lines; they are in the final report too. */
  problems: ReportItem[];
}

/**
 * Reads and checks a CSV with the domain rules, writes its valid rows in chunks to the import
 * store, and adds one flow to the queue: a `bulk-import` parent with one `bulk-import-chunk` child
 * per chunk, so that several workers share the import and a crash loses at most the chunk in flight.
 * The file is read twice (duplicates first, then rows), so memory stays flat whatever its size.
 * `src/app/producer.ts`'s `enqueueBulkImport` gives it the store and the queue.
 */
export async function submitBulkImport(target: BulkImportTarget, input: BulkImportInput): Promise<BulkImportEnqueued> {
  const chunkSize = chunkSizeOf(input);
  const { store } = target;
  const importId = randomUUID();
  const columns = ['account_id', 'region', 'display_name', ...input.rules.metadataKeys];

  const duplicates = await findDuplicates(input);
  const census = createColumnCensus(input.rules.metadataKeys);
  const problems: RowProblem[] = [];
  const twins: Account[] = [];
  let accounts = 0;
  let chunks = 0;
  let rows: ChunkRows['rows'] = [];
  const flush = async () => {
    if (rows.length === 0) return;
    await store.writeChunk(importId, chunks, { columns, rows });
    chunks += 1;
    rows = [];
  };
  try {
    for await (const record of input.source.records({ signal: input.signal })) {
      accounts += 1;
      census.note(record.values);
      const parsed = parseAccount(record, input.rules);
      if (!parsed.ok) problems.push(parsed.problem);
      else if (duplicates.has(parsed.account.externalId)) twins.push(parsed.account);
      else rows.push(compactRow(parsed.account, input.rules));
      if (rows.length >= chunkSize) await flush();
    }
    await flush();
    problems.push(...partitionDuplicates(twins, duplicates).conflicts);
    const manifest: ImportManifest = {
      import_id: importId,
      source: input.source.description,
      accounts,
      chunks,
      problems: problems.sort((a, b) => a.line - b.line).map(problemItem),
      created_at: new Date().toISOString(),
      unmanaged_keys: census.unmanagedKeys(),
      unknown_columns: census.unknownColumns(),
    };
    await store.writeManifest(manifest);
    const payload = parsePayload('bulk-import', { import_id: importId, chunks, trigger: input.trigger ?? 'cli' });
    const children: JobFlow['children'] = Array.from({ length: chunks }, (_, index) => ({
      kind: 'bulk-import-chunk',
      jobId: chunkJobId(importId, index),
      payload: parsePayload('bulk-import-chunk', { import_id: importId, chunk_index: index }),
      options: jobOptionsFor('bulk-import-chunk'),
      // A chunk that fails for good is reported row by row by its parent, which still runs.
      ignoreDependencyOnFailure: true,
    }));
    await target.addFlow({
      kind: 'bulk-import',
      jobId: importId,
      payload,
      options: jobOptionsFor('bulk-import'),
      children,
    });
    return { jobId: importId, importId, chunks, accounts, problems: manifest.problems };
  } catch (error) {
    await store.deleteImport(importId).catch(() => undefined); // best effort: the keys expire anyway
    throw error;
  }
}

/** The input's chunk size (default 1,000); a `RangeError` unless it is a positive whole number. */
export function chunkSizeOf(input: Pick<BulkImportInput, 'chunkSize'>): number {
  const chunkSize = input.chunkSize ?? DEFAULT_CHUNK_SIZE;
  if (!(Number.isInteger(chunkSize) && chunkSize > 0))
    throw new RangeError(`chunk size must be a positive whole number, got ${chunkSize}`);
  return chunkSize;
}

/** First pass: the external IDs that occur more than once among the valid rows. */
async function findDuplicates(input: BulkImportInput): Promise<ReadonlySet<string>> {
  const detector = createDuplicateDetector();
  for await (const record of input.source.records({ signal: input.signal })) {
    const parsed = parseAccount(record, input.rules);
    if (parsed.ok) detector.add(parsed.account);
  }
  return detector.finish().duplicates;
}

/** A row for its chunk; an owned key the record did not carry is `false` (not managed), not `null` (remove it). */
function compactRow(account: Account, rules: DomainRules): ChunkRows['rows'][number] {
  return [
    account.line,
    account.accountId,
    account.region,
    account.displayName,
    ...rules.metadataKeys.map((key) =>
      Object.hasOwn(account.metadata, key) ? (account.metadata[key] ?? null) : false,
    ),
  ];
}

function problemItem(problem: RowProblem): ReportItem {
  return {
    external_id: problem.externalId ?? null,
    account_id: problem.accountId ?? null,
    line: problem.line,
    action: problem.action,
    org_id: null,
    changes: [],
    error: { code: problem.code, message: problem.message },
  };
}
