import { randomUUID } from 'node:crypto';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { describeError } from '../errors.js';
import { exitCodeFor } from '../engine/report.js';
import type { ReportSummary } from '../engine/types.js';
import { isRunOutcome, isSkippedOutcome, parseJobPayload, type ChildResults } from '../job-contract.js';
import { InvalidPayloadError } from '../job-errors.js';
import type { EchoCounter } from '../store/reconcile-echoes.js';
import type { NoopCounter } from '../store/reconcile-noops.js';
import { isRunKind, type RunHistory, type RunKind, type RunSummary, type RunTrigger } from '../store/run-history.js';
import type { JobList, QueueJob } from './job-list.js';

/** What a recorded run's job returns to BullMQ (and `enqueue --wait` reads): small, no items. */
export interface RunJobResult {
  run_id: string;
  exit_code: number;
  summary: ReportSummary;
}

/** A run just recorded in the run history, with the payload of the job that ran it. */
export interface RecordedRun {
  summary: RunSummary;
  payload: unknown;
}

/**
 * Told of every recorded run (the composition root sends notifications with it). Awaited once
 * the run is recorded, so it must settle soon: the composition root bounds it. Its errors are
 * logged and never change the job's outcome.
 */
export type RunRecordedHook = (run: RecordedRun) => Promise<void>;

/** The collaborators shared by every job of a worker process. */
export interface JobProcessorDeps {
  /** Every kind this worker runs (from the composition root). */
  jobs: JobList;
  logger: Logger;
  runHistory: RunHistory;
  /** Counts reconciles skipped as echoes of orgsync's own writes (in Redis for `/metrics`); optional. */
  echoCounter?: EchoCounter | undefined;
  /** Counts reconciles that changed nothing and failed nothing (not recorded as runs); optional. */
  noopCounter?: NoopCounter | undefined;
  /** Told of every recorded run, once it is recorded; optional. */
  onRunRecorded?: RunRecordedHook | undefined;
}

/** Runs one job; `isFinal(error)` says whether a failure will not be retried (then it is recorded). */
export type JobProcessor = (job: Job, signal: AbortSignal, isFinal: (error: unknown) => boolean) => Promise<unknown>;

/**
 * Checks the payload again, runs the kind's job, and records the run (report and summary) in the
 * run history. Logs one line when the job starts and one when it ends, both with the run ID.
 * Errors are thrown as they are: `worker.ts` maps them to BullMQ.
 */
export function createJobProcessor(deps: JobProcessorDeps): JobProcessor {
  return async (job, signal, isFinal) => {
    const kind = job.name;
    const spec: QueueJob | undefined = Object.hasOwn(deps.jobs, kind) ? deps.jobs[kind] : undefined;
    if (spec === undefined)
      throw new InvalidPayloadError(kind, [
        `no job kind is called ${JSON.stringify(kind)}; known kinds: ${Object.keys(deps.jobs).join(', ')}`,
      ]);
    const jobId = job.id ?? '';
    const runId = randomUUID();
    const startedAt = new Date();
    // `run_id` is bound once: the engine binds it itself on its own lines, so it gets `jobLogger`.
    const jobLogger = deps.logger.child({ job_id: jobId, kind });
    const log = jobLogger.child({ run_id: runId });
    log.info({ attempt: job.attemptsMade + 1, parent_id: job.parent?.id ?? null }, 'job started');
    const data: unknown = job.data;
    const trigger = parseTrigger(
      typeof data === 'object' && data !== null && 'trigger' in data ? data.trigger : undefined,
    );
    const durationMs = () => Date.now() - startedAt.getTime();
    try {
      const payload = parseJobPayload(kind, spec.schema, data); // a bad payload fails here, before the job opens anything
      const childResults = () => childResultsOf(job);
      const rerun = job.attemptsMade > 0 || job.attemptsStarted > 1;
      const outcome = await spec.run(payload, { jobId, runId, logger: log, jobLogger, signal, rerun, childResults });
      if (isSkippedOutcome(outcome)) {
        // Nothing to do and nothing to record: not a run (see jobs/reconcile.ts).
        const counter = outcome.skipped === 'echo' ? deps.echoCounter : deps.noopCounter;
        await counter
          ?.count()
          .catch((error: unknown) =>
            log.warn({ err: error, skipped: outcome.skipped }, 'could not count the skipped job'),
          );
        log.info({ duration_ms: durationMs(), skipped: outcome.skipped }, outcome.reason);
        return outcome;
      }
      if (!isRunOutcome(outcome)) {
        log.info({ duration_ms: durationMs() }, 'job finished');
        return outcome;
      }
      const exitCode = exitCodeFor(outcome.report);
      const recorded = await deps.runHistory.record({
        runId,
        kind: runKindOf(kind),
        trigger,
        jobId,
        startedAt: runStart(outcome.report.started_at, startedAt),
        finishedAt: new Date(),
        report: outcome.report,
        exitCode,
        retryRecords: outcome.retryRecords,
        retryOf: outcome.retryOf,
      });
      await outcome.afterRecorded?.();
      await tellRecorded(deps, { summary: recorded, payload: data }, log);
      log.info({ duration_ms: durationMs(), exit_code: exitCode, summary: outcome.report.summary }, 'job finished');
      const result: RunJobResult = { run_id: runId, exit_code: exitCode, summary: outcome.report.summary };
      return result;
    } catch (error) {
      const final = isFinal(error);
      log.warn(
        { err: error, duration_ms: durationMs(), will_retry: !final },
        signal.aborted ? 'job aborted' : 'job failed',
      );
      if (final && spec.records) {
        const recorded = await deps.runHistory
          .record({
            runId,
            kind: runKindOf(kind),
            trigger,
            jobId,
            startedAt,
            finishedAt: new Date(),
            report: null,
            exitCode: 1,
            error: describeError(error, 'ERR_JOB_FAILED'),
          })
          .catch((recordError: unknown) => log.warn({ err: recordError }, 'could not record the failed run'));
        if (recorded) await tellRecorded(deps, { summary: recorded, payload: data }, log);
      }
      throw error;
    }
  };
}

/** Calls the hook; a failing hook is logged, never the job's failure. */
async function tellRecorded(deps: JobProcessorDeps, run: RecordedRun, log: Logger): Promise<void> {
  if (!deps.onRunRecorded) return;
  try {
    await deps.onRunRecorded(run);
  } catch (error) {
    log.warn({ err: error }, 'the run-recorded hook failed');
  }
}

/** What a parent job's children returned, and the children that failed for good. */
async function childResultsOf(job: Job): Promise<ChildResults> {
  const values = Object.values(await job.getChildrenValues());
  const failures = Object.entries(await job.getIgnoredChildrenFailures()).map(([jobKey, reason]) => ({
    jobKey,
    reason,
  }));
  return { values, failures };
}

/** The run kind of a recording job kind (the catalog test checks that every one is a run kind). */
function runKindOf(kind: string): RunKind {
  if (!isRunKind(kind)) throw new TypeError(`job kind ${JSON.stringify(kind)} records runs but is not a run kind`);
  return kind;
}

function parseTrigger(value: unknown): RunTrigger {
  return value === 'schedule' || value === 'cli' || value === 'webhook' ? value : 'api';
}

/**
 * When a run began: the report's own start when it is earlier than this job's. A bulk import's
 * parent job starts once its chunks are done, but its run began when the import was enqueued.
 */
function runStart(reportStartedAt: string, jobStartedAt: Date): Date {
  const reported = Date.parse(reportStartedAt);
  return Number.isFinite(reported) && reported < jobStartedAt.getTime() ? new Date(reported) : jobStartedAt;
}
