import type { RedisConnection as Redis } from './redis-client.js';
import { z } from 'zod';
import { reportItemsOf } from '../engine/report-items.js';
import type { Report, RunReport } from '../engine/types.js';
import { reportSchema, reportSummarySchema } from './report-schema.js';

/** What started a run. */
export const RUN_TRIGGERS = ['schedule', 'cli', 'webhook', 'api'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

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
});

/**
 * One line of the run history (snake_case, like report.json): what `orgsync runs` lists and the
 * `/runs` page shows.
 * - `kind`: the job kind (`nightly-sync`, `bulk-import`, `reconcile`).
 * - `counts`: the report's summary; `null` when the job failed before producing a report.
 * - `duration_ms`: `finished_at - started_at`, in milliseconds.
 * - `items_total` / `items_stored`: report items, and how many of them the history keeps.
 */
export type RunSummary = z.output<typeof runSummarySchema>;

/** A run as `record` takes it: the summary line and the report (`null` when the job failed). */
export interface RunRecordInput {
  runId: string;
  kind: string;
  trigger: RunTrigger;
  jobId?: string | null | undefined;
  source?: string | null | undefined;
  startedAt: Date;
  finishedAt: Date;
  report: Report | RunReport | null;
  /** 0 or 1, the contract's exit code (`exitCodeFor`); 1 when the job failed. */
  exitCode: number;
  error?: { code: string; message: string } | null | undefined;
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
  /** Runs kept (ORGSYNC_RUN_HISTORY, default 100); older ones are deleted as new ones arrive. */
  limit: number;
  /** Report items kept per run; the counts always cover every item. Default 10,000. */
  maxReportItems?: number;
}

/**
 * The last N runs, kept in Redis so that any instance can show them (design §4): the CLI
 * (`orgsync runs`) and the HTTP run pages (`/runs`, `/runs/:id`) read the same data.
 */
export interface RunHistory {
  /** Stores a finished run and drops the oldest beyond the limit. Recording a run ID again replaces it. */
  record(run: RunRecordInput): Promise<RunSummary>;
  /** Summaries, newest first (by start time); at most `limit` (default: the configured limit). */
  list(limit?: number): Promise<RunSummary[]>;
  /** One run, or `null` when it is unknown or was dropped from the history. */
  get(runId: string): Promise<StoredRun | null>;
}

/**
 * Layout: a sorted set `<prefix>runs` (member run ID, score start time in ms) and one hash per run,
 * `<prefix>run:<id>`, with fields `summary` and `report` (JSON). Plain commands only.
 */
export function createRunHistory(redis: Redis, options: RunHistoryOptions): RunHistory {
  if (!(Number.isInteger(options.limit) && options.limit > 0))
    throw new TypeError(`createRunHistory: limit must be a positive integer, got ${options.limit}`);
  const indexKey = `${options.keyPrefix}runs`;
  const runKey = (runId: string) => `${options.keyPrefix}run:${runId}`;
  const maxItems = options.maxReportItems ?? 10_000;

  async function trim(): Promise<void> {
    const dropped = await redis.zrange(indexKey, 0, -(options.limit + 1));
    if (dropped.length === 0) return;
    await redis
      .multi()
      .del(...dropped.map(runKey))
      .zrem(indexKey, ...dropped)
      .exec();
  }

  return {
    async record(run) {
      const items = run.report && reportItemsOf(run.report);
      const itemCount = items?.count ?? 0;
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
      };
      const report =
        run.report && items && itemCount > maxItems ? { ...run.report, items: items.first(maxItems) } : run.report;
      await redis
        .multi()
        .hset(runKey(run.runId), 'summary', JSON.stringify(summary), 'report', JSON.stringify(report))
        .zadd(indexKey, run.startedAt.getTime(), run.runId)
        .exec();
      await trim();
      return summary;
    },

    async list(limit = options.limit) {
      const ids = await redis.zrevrange(indexKey, 0, Math.max(0, limit - 1));
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
      const [summaryJson, reportJson] = await redis.hmget(runKey(runId), 'summary', 'report');
      if (summaryJson === null || summaryJson === undefined) return null;
      const summary = runSummarySchema.parse(JSON.parse(summaryJson));
      const rawReport: unknown = reportJson ? JSON.parse(reportJson) : null;
      const report = rawReport === null ? null : reportSchema.parse(rawReport);
      return { summary, report };
    },
  };
}
