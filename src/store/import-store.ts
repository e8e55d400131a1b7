import type { RedisConnection as Redis } from './redis-client.js';
import { z } from 'zod';
import { chunkProgressKey } from './chunk-progress.js';
import { importSnapshotKeys } from './import-snapshot.js';
import { reportItemSchema } from './report-schema.js';
import type { ReportItem } from '../engine/types.js';

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

/** Where a bulk import's rows wait for the workers: what the jobs read. */
export interface ImportStore {
  readManifest(importId: string): Promise<ImportManifest | null>;
  readChunk(importId: string, chunkIndex: number): Promise<ChunkRows | null>;
  /** Drops the manifest, every chunk and its progress record; called once the import's report is recorded. */
  deleteImport(importId: string): Promise<void>;
}

/** Default lifetime of an import's rows in Redis: long enough for a backlog, short enough to not linger. */
export const DEFAULT_IMPORT_TTL_S = 7 * 24 * 3_600;

const chunkSchema = z.object({
  columns: z.array(z.string()),
  rows: z.array(z.tuple([z.number().int()], z.union([z.string(), z.null(), z.literal(false)]))),
}) satisfies z.ZodType<ChunkRows>;

const manifestSchema = z.object({
  import_id: z.string(),
  source: z.string(),
  accounts: z.number().int().nonnegative(),
  chunks: z.number().int().nonnegative(),
  problems: z.array(reportItemSchema),
  created_at: z.string(),
  unmanaged_keys: z.array(z.string()).optional(),
  unknown_columns: z.array(z.string()).optional(),
}) satisfies z.ZodType<ImportManifest>;

/** The Redis side of bulk imports: what `enqueue` writes and the workers read. */
export interface RedisImportStore extends ImportStore {
  writeChunk(importId: string, chunkIndex: number, chunk: ChunkRows): Promise<void>;
  writeManifest(manifest: ImportManifest): Promise<void>;
}

/** Options of `createImportStore`. */
export interface ImportStoreOptions {
  /** e.g. `queueKeyPrefix(queueName)`; keys are `<prefix>import:<id>:manifest` and `<prefix>import:<id>:chunk:<n>`. */
  keyPrefix: string;
  /** Lifetime of every key, in seconds. Default 7 days. */
  ttlSeconds?: number;
}

/**
 * A bulk import's rows in Redis (design §4), so that any worker on any machine can take any chunk:
 * each chunk is one JSON string of arrays (not objects), with a TTL; deleted when the import ends.
 */
export function createImportStore(redis: Redis, options: ImportStoreOptions): RedisImportStore {
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_IMPORT_TTL_S;
  const manifestKey = (importId: string) => `${options.keyPrefix}import:${importId}:manifest`;
  const chunkKey = (importId: string, index: number) => `${options.keyPrefix}import:${importId}:chunk:${index}`;

  return {
    async writeChunk(importId, chunkIndex, chunk) {
      await redis.set(chunkKey(importId, chunkIndex), JSON.stringify(chunk), 'EX', ttlSeconds);
    },
    async writeManifest(manifest) {
      await redis.set(manifestKey(manifest.import_id), JSON.stringify(manifest), 'EX', ttlSeconds);
    },
    async readChunk(importId, chunkIndex) {
      const json = await redis.get(chunkKey(importId, chunkIndex));
      return json === null ? null : chunkSchema.parse(JSON.parse(json));
    },
    async readManifest(importId) {
      const json = await redis.get(manifestKey(importId));
      return json === null ? null : manifestSchema.parse(JSON.parse(json));
    },
    async deleteImport(importId) {
      const manifest = await this.readManifest(importId);
      const keys = [manifestKey(importId), ...Object.values(importSnapshotKeys(options.keyPrefix, importId))];
      for (let i = 0; i < (manifest?.chunks ?? 0); i += 1)
        keys.push(chunkKey(importId, i), chunkProgressKey(options.keyPrefix, importId, i));
      // One DEL per 1,000 keys keeps each command small for huge imports.
      for (let i = 0; i < keys.length; i += 1_000) await redis.del(...keys.slice(i, i + 1_000));
    },
  };
}
