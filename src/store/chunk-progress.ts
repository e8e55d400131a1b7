import type { RedisConnection as Redis } from './redis-client.js';
import type { ReportItem } from '../engine/types.js';
import { reportItemSchema } from './report-schema.js';

/** The key of one chunk's progress record (deleted with the import): a hash, external ID → report item. */
export function chunkProgressKey(keyPrefix: string, importId: string, chunkIndex: number): string {
  return `${keyPrefix}import:${importId}:chunk:${chunkIndex}:written`;
}

/** The rows of one bulk-import chunk whose write went through, across the chunk's attempts. */
export interface ChunkProgress {
  /** Records one written row (one HSET, in the same round trip as the key's TTL). */
  record(item: ReportItem): Promise<void>;
  /** The rows written by earlier attempts, by external ID, as their report items. */
  read(): Promise<Map<string, ReportItem>>;
}

/** Options of `createChunkProgressStore`. */
export interface ChunkProgressStoreOptions {
  /** e.g. `queueKeyPrefix(queueName)`, as the import store's. */
  keyPrefix: string;
  /** Lifetime of a record, in seconds (the import's TTL). */
  ttlSeconds: number;
}

/** The progress records of bulk-import chunks. */
export interface ChunkProgressStore {
  of(importId: string, chunkIndex: number): ChunkProgress;
}

/**
 * Per-chunk progress in Redis: each row whose create or update went through is recorded as it
 * completes, so that a chunk retried after its worker died (or its attempt failed) skips those
 * rows instead of creating them again from the import's snapshot, which predates them (each would
 * meet a 409 and cost a lookup). A row written but not yet recorded when the worker died is the
 * only one that can still meet a 409 (at most the writes in flight).
 */
export function createChunkProgressStore(redis: Redis, options: ChunkProgressStoreOptions): ChunkProgressStore {
  return {
    of(importId, chunkIndex) {
      const key = chunkProgressKey(options.keyPrefix, importId, chunkIndex);
      return {
        async record(item) {
          if (item.external_id === null) return;
          const replies = await redis
            .pipeline()
            .hset(key, item.external_id, JSON.stringify(item))
            .expire(key, options.ttlSeconds)
            .exec();
          // A pipeline resolves with each command's error instead of rejecting.
          const failed = replies?.find(([error]) => error !== null)?.[0];
          if (failed) throw failed;
        },
        async read() {
          const entries = await redis.hgetall(key);
          const written = new Map<string, ReportItem>();
          for (const [externalId, json] of Object.entries(entries))
            written.set(externalId, reportItemSchema.parse(JSON.parse(json)));
          return written;
        },
      };
    },
  };
}
