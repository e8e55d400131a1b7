import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { InvalidPayloadError } from '../../jobs/job-errors.js';
import type { JobHelpers, RunOutcome, SkippedOutcome } from '../../jobs/job-helpers.js';
import type { LatestAccounts } from './latest-accounts.js';
import type { createImportSnapshots } from './import-snapshot.js';
import type { CallCounter } from './call-counter.js';
import type { EchoCounter } from './reconcile-echoes.js';
import type { RequestInfo } from '../scalekit/request-loop.js';
import { domainRules, readColumns, requiredColumns, type ScalekitConnection } from '../app.js';
import type { Config } from '../config.js';
import { describeError } from '../errors.js';
import { exitCodeFor } from '../engine/report.js';
import type { ReportSummary } from '../engine/types.js';
import type { RateBudget } from '../scalekit/rate-budget.js';
import { createSourceFromSpec } from '../sources/from-spec.js';
import { CATALOG, isJobKind, parsePayload, type JobKind } from './catalog.js';
import { chunkIndexOfJobKey } from './chunk-job-id.js';
import type { RedisImportStore } from './import-store.js';
import type { RedisLock } from './redis-lock.js';
import type { RunHistory, RunTrigger } from './run-history.js';

/** What a recorded run's job returns to BullMQ (and `enqueue --wait` reads): small, no items. */
export interface RunJobResult {
  run_id: string;
  exit_code: number;
  summary: ReportSummary;
}

/** The collaborators shared by every job of a worker process. */
export interface JobProcessorDeps {
  config: Config;
  logger: Logger;
  rateBudget: RateBudget;
  lock: RedisLock;
  runHistory: RunHistory;
  imports: RedisImportStore;
  /** Newest account states pushed by webhooks and organizations shown by Scalekit events (read by reconciles). */
  latestAccounts: LatestAccounts;
  /** One Scalekit snapshot per bulk import, shared by its chunks. */
  importSnapshots: ReturnType<typeof createImportSnapshots>;
  /** Opens a Scalekit client per job (so each report counts its own calls); closed when the job ends. */
  connectScalekit: (
    config: Config,
    logger: Logger,
    options: { rateBudget: RateBudget; onRequest?: (info: RequestInfo) => void },
  ) => ScalekitConnection;
  /** Counts every job's Scalekit calls (flushed to Redis for `/metrics`); optional. */
  callCounter?: CallCounter;
  /** Counts reconciles skipped as echoes of orgsync's own writes (in Redis for `/metrics`); optional. */
  echoCounter?: EchoCounter;
}

/** Runs one job; `isFinal(error)` says whether a failure will not be retried (then it is recorded). */
export type JobProcessor = (job: Job, signal: AbortSignal, isFinal: (error: unknown) => boolean) => Promise<unknown>;

/**
 * Checks the payload again, builds the job's helpers bag, runs its processor, and records the run
 * (report and summary) in the run history. Logs one line when the job starts and one when it ends,
 * both with the run ID. Errors are thrown as they are: `worker.ts` maps them to BullMQ.
 */
export function createJobProcessor(deps: JobProcessorDeps): JobProcessor {
  const rules = domainRules(deps.config);
  return async (job, signal, isFinal) => {
    const kind = job.name;
    if (!isJobKind(kind))
      throw new InvalidPayloadError(kind, [
        `no job kind is called ${JSON.stringify(kind)}; known kinds: ${Object.keys(CATALOG).join(', ')}`,
      ]);
    const jobId = job.id ?? '';
    const runId = randomUUID();
    const startedAt = new Date();
    const log = deps.logger.child({ job_id: jobId, kind, run_id: runId });
    log.info({ attempt: job.attemptsMade + 1, parent_id: job.parent?.id ?? null }, 'job started');
    const data: unknown = job.data;
    const trigger = parseTrigger(
      typeof data === 'object' && data !== null && 'trigger' in data ? data.trigger : undefined,
    );
    let scalekit: ScalekitConnection | undefined;
    try {
      const run = prepare(kind, data); // a bad payload fails here, before any connection is opened
      const { callCounter } = deps;
      scalekit = deps.connectScalekit(deps.config, log, {
        rateBudget: deps.rateBudget,
        onRequest: callCounter ? (info) => callCounter.observe(info) : undefined,
      });
      const outcome = await run(buildHelpers(deps, job, { log, signal, runId, scalekit, rules }));
      if (isSkippedOutcome(outcome)) {
        // Nothing to do and nothing to record: not a run (see jobs/reconcile.ts).
        await deps.echoCounter?.count().catch((error: unknown) => log.warn({ err: error }, 'could not count the echo'));
        log.info({ duration_ms: Date.now() - startedAt.getTime(), skipped: outcome.skipped }, outcome.reason);
        return outcome;
      }
      if (!isRunOutcome(outcome)) {
        log.info({ duration_ms: Date.now() - startedAt.getTime() }, 'job finished');
        return outcome;
      }
      const exitCode = exitCodeFor(outcome.report);
      await deps.runHistory.record({
        runId,
        kind,
        trigger,
        jobId,
        startedAt,
        finishedAt: new Date(),
        report: outcome.report,
        exitCode,
      });
      await outcome.afterRecorded?.();
      log.info(
        { duration_ms: Date.now() - startedAt.getTime(), exit_code: exitCode, summary: outcome.report.summary },
        'job finished',
      );
      const result: RunJobResult = { run_id: runId, exit_code: exitCode, summary: outcome.report.summary };
      return result;
    } catch (error) {
      const final = isFinal(error);
      log.warn(
        { err: error, duration_ms: Date.now() - startedAt.getTime(), will_retry: !final },
        signal.aborted ? 'job aborted' : 'job failed',
      );
      if (final && CATALOG[kind].records) {
        await deps.runHistory
          .record({
            runId,
            kind,
            trigger,
            jobId,
            startedAt,
            finishedAt: new Date(),
            report: null,
            exitCode: 1,
            error: describeError(error, 'ERR_JOB_FAILED'),
          })
          .catch((recordError: unknown) => log.warn({ err: recordError }, 'could not record the failed run'));
      }
      throw error;
    } finally {
      // An aborted job does not wait for its client's pool to drain: a shared token request is not
      // cancelled by the abort and may take up to the request timeout.
      const closed = scalekit
        ?.close()
        .catch((error: unknown) => log.warn({ err: error }, 'could not close the Scalekit client'));
      if (!signal.aborted) await closed;
    }
  };
}

function buildHelpers(
  deps: JobProcessorDeps,
  job: Job,
  ctx: {
    log: Logger;
    signal: AbortSignal;
    runId: string;
    scalekit: ScalekitConnection;
    rules: ReturnType<typeof domainRules>;
  },
): JobHelpers {
  const { config } = deps;
  return {
    logger: ctx.log,
    signal: ctx.signal,
    jobId: job.id ?? '',
    runId: ctx.runId,
    engine: { api: ctx.scalekit.api, logger: ctx.log, rules: ctx.rules },
    applySettings: {
      allowDelete: false,
      adopt: false,
      concurrency: config.concurrency,
      deleteMaxCount: config.deleteMaxCount,
      deleteMaxPercent: config.deleteMaxPercent,
      deleteBlockOnInvalid: config.deleteBlockOnInvalid,
      exclusive: (key, fn) => deps.lock.exclusive(key, fn),
    },
    hostSource: () =>
      config.source
        ? createSourceFromSpec(config.source, {
            requiredColumns: requiredColumns(ctx.rules),
            readColumns: readColumns(ctx.rules),
            databaseUrl: config.databaseUrl,
            pgQuery: config.pgQuery,
            sourceToken: config.sourceToken,
            sourceMaxPageBytes: config.sourceMaxPageBytes,
            sourceMaxPages: config.sourceMaxPages,
          })
        : undefined,
    imports: deps.imports,
    knownState: (externalId) => deps.latestAccounts.get(externalId),
    importSnapshot: (importId) => deps.importSnapshots.provider(importId, ctx.scalekit.api, ctx.signal),
    childResults: async () => {
      const values = Object.values(await job.getChildrenValues());
      const failures = Object.entries(await job.getIgnoredChildrenFailures()).map(([key, reason]) => ({
        chunkIndex: chunkIndexOfJobKey(key) ?? -1,
        reason,
      }));
      return { values, failures };
    },
  };
}

/** Checks the payload against its kind's schema and binds it to the kind's processor. */
function prepare(kind: JobKind, data: unknown): (helpers: JobHelpers) => Promise<unknown> {
  switch (kind) {
    case 'nightly-sync': {
      const payload = parsePayload(kind, data);
      return (helpers) => CATALOG[kind].job.process(payload, helpers);
    }
    case 'bulk-import': {
      const payload = parsePayload(kind, data);
      return (helpers) => CATALOG[kind].job.process(payload, helpers);
    }
    case 'bulk-import-chunk': {
      const payload = parsePayload(kind, data);
      return (helpers) => CATALOG[kind].job.process(payload, helpers);
    }
    case 'reconcile': {
      const payload = parsePayload(kind, data);
      return (helpers) => CATALOG[kind].job.process(payload, helpers);
    }
  }
}

function isSkippedOutcome(value: unknown): value is SkippedOutcome {
  return typeof value === 'object' && value !== null && 'skipped' in value && 'reason' in value;
}

function isRunOutcome(value: unknown): value is RunOutcome {
  return typeof value === 'object' && value !== null && 'report' in value;
}

function parseTrigger(value: unknown): RunTrigger {
  return value === 'schedule' || value === 'cli' || value === 'webhook' ? value : 'api';
}
