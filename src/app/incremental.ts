import { OrgsyncError } from '../errors.js';
import type { Report, ReportSummary } from '../engine/types.js';
import { formatInstant, parseInstantLoosely, shiftInstant, type Instant } from '../sources/instant.js';
import type { RedisSettings } from '../store/redis-client.js';
import { closeConnection, connectProducerConnection } from '../store/redis-connections.js';
import { createWatermarkStore } from '../store/watermark-store.js';

/** `--since`: nothing (a full read), `last` (the source's watermark in Redis), or an RFC 3339 instant. */
export interface Incremental {
  /**
   * Read only accounts updated after this instant; undefined = read everything. For `--since
   * last`, the watermark minus the overlap (`ORGSYNC_SINCE_OVERLAP`).
   */
  since: Instant | undefined;
  /** For log lines: what `since` came from. */
  describe(): Record<string, string | number | undefined>;
  /**
   * After an apply: moves the watermark to the latest `updated_at` read (never backwards), unless
   * an item failed at the API (`failed`) or went `stale`: those must be read again next time.
   * Invalid and conflicting rows do not hold it back: they are reported, and read again when they
   * change (and by every full run). Returns the new watermark, or null when it did not move.
   */
  commit(report: Pick<Report, 'mode' | 'summary'>, maxUpdatedAt: Instant | null): Promise<string | null>;
  close(): Promise<void>;
}

/** Items that must be read again by the next incremental run: the watermark stays before them. */
export function heldBack(summary: ReportSummary): number {
  return summary.failed + summary.stale;
}

const fixed = (since: Instant | undefined): Incremental => ({
  since,
  describe: () => (since === undefined ? {} : { since: formatInstant(since) }),
  commit: async () => null,
  close: async () => {},
});

/**
 * Opens the watermark for `--since last` (Redis at `redis`: REDIS_URL and its mode), or returns a fixed instant.
 * `overlapMs` (`ORGSYNC_SINCE_OVERLAP`) is subtracted from the watermark: a transaction that
 * committed after the last run with an older `updated_at` is still read (applying twice is harmless).
 */
export async function openIncremental(
  since: string | undefined,
  redisSettings: RedisSettings,
  sourceDescription: string,
  overlapMs: number,
): Promise<Incremental> {
  if (since === undefined) return fixed(undefined);
  if (since !== 'last') return fixed(parseInstantLoosely(since));
  // connectProducerConnection keeps the first failure's reason (WRONGPASS, a refused certificate),
  // redacted; the message says what --since last needed Redis for.
  const redis = await connectProducerConnection(redisSettings, undefined, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
  }).catch((error: unknown) => {
    throw new OrgsyncError(
      'ERR_REDIS',
      `--since last keeps its watermark in Redis: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  });
  const store = createWatermarkStore(redis);
  const watermark = (await store.get(sourceDescription)) ?? undefined;
  // Before year 0000 there is nothing to skip: read everything.
  const from = watermark === undefined ? undefined : shiftInstant(watermark, -overlapMs);
  return {
    since: from,
    describe: () =>
      watermark === undefined || from === undefined
        ? {}
        : { watermark: formatInstant(watermark), overlapMs, since: formatInstant(from) },
    async commit(report, maxUpdatedAt) {
      if (report.mode !== 'apply' || heldBack(report.summary) > 0 || maxUpdatedAt === null) return null;
      if (watermark !== undefined && maxUpdatedAt <= watermark) return null;
      await store.set(sourceDescription, maxUpdatedAt);
      return formatInstant(maxUpdatedAt);
    },
    async close() {
      await closeConnection(redis);
    },
  };
}
