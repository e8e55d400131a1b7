import { Redis } from 'ioredis';
import { OrgsyncError } from '../errors.js';
import { failureCount } from '../engine/report.js';
import type { Report } from '../engine/types.js';
import { createWatermarkStore } from '../sources/watermark-store.js';

/** `--since`: nothing (a full read), `last` (the source's watermark in Redis), or an RFC 3339 instant. */
export interface Incremental {
  /** Read only accounts updated after this instant; undefined = read everything. */
  since: Date | undefined;
  /**
   * After an apply: moves the watermark to the latest `updated_at` read — only when every row
   * succeeded, so that a failed row is read again next time. Returns whether it moved.
   */
  commit(report: Report, maxUpdatedAt: Date | null): Promise<boolean>;
  close(): Promise<void>;
}

/** Checks `--since` against the source and scope; every problem is a ConfigError naming the flag. */
export function checkSinceFlag(since: string | undefined, scope: string, sourceSpec: string | undefined): string[] {
  if (since === undefined) return [];
  const problems: string[] = [];
  if (since !== 'last' && Number.isNaN(Date.parse(since)))
    problems.push(
      `--since: expected "last" or an RFC 3339 instant such as 2026-11-01T00:00:00Z (got ${JSON.stringify(since)})`,
    );
  if (scope === 'full')
    problems.push(
      '--since reads only the accounts that changed, so it cannot find orphans: use it with --scope partial (the nightly full sync finds them)',
    );
  if (sourceSpec && !/^(postgres|https?):/i.test(sourceSpec))
    problems.push('--since needs a postgres: or http(s):// source (the rows must carry updated_at)');
  return problems;
}

/** Opens the watermark for `--since last` (Redis at `redisUrl`), or returns a fixed instant. */
export async function openIncremental(
  since: string | undefined,
  redisUrl: string,
  sourceDescription: string,
): Promise<Incremental> {
  if (since === undefined) return { since: undefined, commit: async () => false, close: async () => {} };
  if (since !== 'last') return { since: new Date(since), commit: async () => false, close: async () => {} };
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new OrgsyncError(
      'ERR_REDIS',
      `--since last keeps its watermark in Redis, which could not be reached (REDIS_URL): ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const store = createWatermarkStore(redis);
  const watermark = await store.get(sourceDescription);
  return {
    since: watermark ?? undefined,
    async commit(report, maxUpdatedAt) {
      if (report.mode !== 'apply' || failureCount(report.summary) > 0 || !maxUpdatedAt) return false;
      await store.set(sourceDescription, maxUpdatedAt);
      return true;
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
