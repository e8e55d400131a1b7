import type { RedisConnection as Redis } from './redis-client.js';
import { z } from 'zod';
import { reportItemsOf } from '../engine/report-items.js';
import type { RetryRecord } from '../engine/retry-records.js';
import type { Report, RunReport } from '../engine/types.js';
import { reportSchema, reportSummarySchema } from './report-schema.js';

/** What started a run. */
export const RUN_TRIGGERS = ['schedule', 'cli', 'webhook', 'api'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/**
 * Every kind of run the history keeps, each with its own ORGSYNC_RUN_HISTORY runs: the queued jobs
 * that record their runs, and `cli-apply` (an `orgsync apply` with REDIS_URL set).
 */
export const RUN_KINDS = ['nightly-sync', 'bulk-import', 'reconcile', 'retry', 'cli-apply'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** Whether `kind` is one of `RUN_KINDS`. */
export function isRunKind(kind: string): kind is RunKind {
  return (RUN_KINDS as readonly string[]).includes(kind);
}

/** The message of an unknown `--kind` / `?kind=`: names the kinds there are. */
export function unknownRunKindMessage(kind: string): string {
  return `unknown run kind ${JSON.stringify(kind)}; expected one of ${RUN_KINDS.join(', ')}`;
}

/** How a run ended: `ok` (exit code 0), `failed` (some item failed: exit code 1), `error` (the job itself failed). */
export type RunResult = 'ok' | 'failed' | 'error';

const runSummarySchema = z.object({
  run_id: z.string(),
  kind: z.string(),
  trigger: z.enum(RUN_TRIGGERS),
  job_id: z.string().nullable(),
  source: z.string().nullable(),
  started_at: z.string(),
  finished_at: z.string(),
  duration_ms: z.number().nonnegative(),
  counts: reportSummarySchema.nullable(),
  result: z.enum(['ok', 'failed', 'error']),
  exit_code: z.number().int(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  items_total: z.number().int().nonnegative(),
  items_stored: z.number().int().nonnegative(),
  /** A `retry` run: the run whose failed and stale items it retried. Absent in runs recorded before it existed. */
  retry_of: z.string().nullable().default(null),
  /** Account records kept for `orgsync retry` (of its failed and stale items). Absent before it existed. */
  retry_records: z.number().int().nonnegative().default(0),
});

/**
 * One line of the run history (snake_case, like report.json): what `orgsync runs` lists and the
 * `/runs` page shows.
 * - `kind`: one of `RUN_KINDS` (`nightly-sync`, `bulk-import`, `reconcile`, `retry`, `cli-apply`).
 * - `counts`: the report's summary; `null` when the job failed before producing a report.
 * - `duration_ms`: `finished_at - started_at`, in milliseconds.
 * - `items_total` / `items_stored`: report items, and how many of them the history keeps.
 * - `retry_of`: for a `retry` run, the run it retried; `retry_records`: account records kept for a retry.
 */
export type RunSummary = z.output<typeof runSummarySchema>;

const retryRecordSchema = z.object({
  external_id: z.string(),
  line: z.number().int().nullable(),
  values: z.record(z.string(), z.string().nullable()),
}) satisfies z.ZodType<RetryRecord>;

export type { RetryRecord };

/** A run as `record` takes it: the summary line and the report (`null` when the job failed). */
export interface RunRecordInput {
  runId: string;
  kind: RunKind;
  trigger: RunTrigger;
  jobId?: string | null | undefined;
  source?: string | null | undefined;
  startedAt: Date;
  finishedAt: Date;
  report: Report | RunReport | null;
  /** 0 or 1, the contract's exit code (`exitCodeFor`); 1 when the job failed. */
  exitCode: number;
  error?: { code: string; message: string } | null | undefined;
  /** A `retry` run: the run it retried. */
  retryOf?: string | null | undefined;
  /** The account records of the run's failed and stale items (at most `maxReportItems` are kept). */
  retryRecords?: readonly RetryRecord[] | undefined;
}

/** A stored run: its summary line and its report (possibly with fewer items, see `items_stored`). */
export interface StoredRun {
  summary: RunSummary;
  report: Report | null;
}

/** Options of `createRunHistory`. */
export interface RunHistoryOptions {
  /** Prefix of the history's keys, e.g. `queueKeyPrefix('orgsync')` = `orgsync:orgsync:`. */
  keyPrefix: string;
  /** Runs kept of each kind (ORGSYNC_RUN_HISTORY, default 100); older ones are deleted as new ones of their kind arrive. */
  limit: number;
  /** Report items kept per run; the counts always cover every item. Default 10,000. */
  maxReportItems?: number;
}

/** Which runs `list` returns. */
export interface RunListFilter {
  /** Only runs of this kind. */
  kind?: RunKind | undefined;
}

/**
 * The last N runs of each kind, kept in Redis so that any instance can show them (design §4): the
 * CLI (`orgsync runs`) and the HTTP run pages (`/runs`, `/runs/:id`) read the same data. Each kind
 * keeps its own N, so a flood of webhook reconciles never pushes the last nightly sync out.
 */
export interface RunHistory {
  /** Stores a finished run and drops the oldest of its kind beyond the limit. Recording a run ID again replaces it. */
  record(run: RunRecordInput): Promise<RunSummary>;
  /**
   * Summaries, newest first (by start time): at most `limit` (default: every run kept), of one
   * kind or of all of them.
   */
  list(limit?: number, filter?: RunListFilter): Promise<RunSummary[]>;
  /** One run, or `null` when it is unknown or was dropped from the history. */
  get(runId: string): Promise<StoredRun | null>;
  /** The account records kept with a run for `orgsync retry`; `null` when the run is unknown. */
  retryRecords(runId: string): Promise<RetryRecord[] | null>;
}

/**
 * Layout: one sorted set per kind, `<prefix>runs:<kind>` (member run ID, score start time in ms),
 * and one hash per run, `<prefix>run:<id>`, with fields `summary`, `report` and `retry` (JSON), so
 * that a run's retry records go when its entry is trimmed. Plain commands only. A history written
 * before the kinds had sets of their own (one sorted set `<prefix>runs`) is moved into them once.
 */
export function createRunHistory(redis: Redis, options: RunHistoryOptions): RunHistory {
  if (!(Number.isInteger(options.limit) && options.limit > 0))
    throw new TypeError(`createRunHistory: limit must be a positive integer, got ${options.limit}`);
  const legacyIndexKey = `${options.keyPrefix}runs`;
  const indexKey = (kind: string) => `${options.keyPrefix}runs:${kind}`;
  const runKey = (runId: string) => `${options.keyPrefix}run:${runId}`;
  const maxItems = options.maxReportItems ?? 10_000;
  let migrated: Promise<void> | undefined;

  async function trim(kind: string): Promise<void> {
    const dropped = await redis.zrange(indexKey(kind), 0, -(options.limit + 1));
    if (dropped.length === 0) return;
    await redis
      .multi()
      .del(...dropped.map(runKey))
      .zrem(indexKey(kind), ...dropped)
      .exec();
  }

  /** Moves the runs of a single-index history into the sets of their kinds (once per process). */
  function migrate(): Promise<void> {
    migrated ??= (async () => {
      const legacy = await redis.zrange(legacyIndexKey, 0, -1, 'WITHSCORES');
      if (legacy.length === 0) return;
      const kinds = new Set<string>();
      const multi = redis.multi();
      for (let i = 0; i + 1 < legacy.length; i += 2) {
        const runId = legacy[i] ?? '';
        const summary = await redis.hget(runKey(runId), 'summary');
        const parsed = summary === null ? undefined : runSummarySchema.safeParse(JSON.parse(summary));
        if (parsed?.success && isRunKind(parsed.data.kind)) {
          multi.zadd(indexKey(parsed.data.kind), Number(legacy[i + 1]), runId);
          kinds.add(parsed.data.kind);
        } else multi.del(runKey(runId));
      }
      await multi.del(legacyIndexKey).exec();
      for (const kind of kinds) await trim(kind);
    })().catch((error: unknown) => {
      migrated = undefined; // tried again by the next call
      throw error;
    });
    return migrated;
  }

  async function idsNewestFirst(limit: number | undefined, kind: RunKind | undefined): Promise<string[]> {
    if (kind !== undefined) return redis.zrevrange(indexKey(kind), 0, limit === undefined ? -1 : limit - 1);
    const pipeline = redis.pipeline();
    for (const k of RUN_KINDS) pipeline.zrevrange(indexKey(k), 0, limit === undefined ? -1 : limit - 1, 'WITHSCORES');
    const entries: { id: string; score: number }[] = [];
    for (const [error, value] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      const flat = Array.isArray(value) ? value.map(String) : [];
      for (let i = 0; i + 1 < flat.length; i += 2) entries.push({ id: flat[i] ?? '', score: Number(flat[i + 1]) });
    }
    entries.sort((a, b) => b.score - a.score || (a.id < b.id ? 1 : -1));
    return entries.slice(0, limit).map((e) => e.id);
  }

  return {
    async record(run) {
      if (!isRunKind(run.kind)) throw new TypeError(`RunHistory.record: ${unknownRunKindMessage(run.kind)}`);
      await migrate();
      const items = run.report && reportItemsOf(run.report);
      const itemCount = items?.count ?? 0;
      const retryRecords = (run.retryRecords ?? []).slice(0, maxItems);
      const summary: RunSummary = {
        run_id: run.runId,
        kind: run.kind,
        trigger: run.trigger,
        job_id: run.jobId ?? null,
        source: run.source ?? run.report?.source ?? null,
        started_at: run.startedAt.toISOString(),
        finished_at: run.finishedAt.toISOString(),
        duration_ms: Math.max(0, run.finishedAt.getTime() - run.startedAt.getTime()),
        counts: run.report?.summary ?? null,
        result: run.report === null ? 'error' : run.exitCode === 0 ? 'ok' : 'failed',
        exit_code: run.exitCode,
        error: run.error ?? null,
        items_total: itemCount,
        items_stored: Math.min(itemCount, maxItems),
        retry_of: run.retryOf ?? null,
        retry_records: retryRecords.length,
      };
      const report =
        run.report && items && itemCount > maxItems ? { ...run.report, items: items.first(maxItems) } : run.report;
      await redis
        .multi()
        .del(runKey(run.runId))
        .hset(
          runKey(run.runId),
          'summary',
          JSON.stringify(summary),
          'report',
          JSON.stringify(report),
          'retry',
          JSON.stringify(retryRecords),
        )
        .zadd(indexKey(run.kind), run.startedAt.getTime(), run.runId)
        .exec();
      await trim(run.kind);
      return summary;
    },

    async list(limit, filter = {}) {
      await migrate();
      const ids = await idsNewestFirst(limit === undefined ? undefined : Math.max(1, limit), filter.kind);
      if (ids.length === 0) return [];
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hget(runKey(id), 'summary');
      const replies = (await pipeline.exec()) ?? [];
      const out: RunSummary[] = [];
      for (const [error, value] of replies) {
        // A run trimmed by another process between the two reads is simply skipped.
        if (error || typeof value !== 'string') continue;
        const parsed = runSummarySchema.safeParse(JSON.parse(value));
        if (parsed.success) out.push(parsed.data);
      }
      return out;
    },

    async get(runId) {
      await migrate();
      const [summaryJson, reportJson] = await redis.hmget(runKey(runId), 'summary', 'report');
      if (summaryJson === null || summaryJson === undefined) return null;
      const summary = runSummarySchema.parse(JSON.parse(summaryJson));
      const rawReport: unknown = reportJson ? JSON.parse(reportJson) : null;
      const report = rawReport === null ? null : reportSchema.parse(rawReport);
      return { summary, report };
    },

    async retryRecords(runId) {
      await migrate();
      const [summaryJson, retryJson] = await redis.hmget(runKey(runId), 'summary', 'retry');
      if (summaryJson === null || summaryJson === undefined) return null;
      return retryJson ? z.array(retryRecordSchema).parse(JSON.parse(retryJson)) : [];
    },
  };
}
