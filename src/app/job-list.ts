import {
  JOB_KINDS,
  jobSpecOf,
  processJob,
  type HelpersOf,
  type JobKind,
  type PayloadSchema,
} from '../../jobs/catalog.js';
import type { BaseHelpers, SyncHelpers } from '../../jobs/job-helpers.js';
import type { ScalekitConfig } from '../config.js';
import type { DomainRules } from '../domain/types.js';
import type { JobContext } from '../job-contract.js';
import type { JobList, QueueJob } from '../queue/job-list.js';
import type { RateBudget } from '../scalekit/rate-budget.js';
import type { CallCounter } from '../store/call-counter.js';
import type { ChunkProgressStore } from '../store/chunk-progress.js';
import type { ImportSnapshots } from '../store/import-snapshot.js';
import type { RedisImportStore } from '../store/import-store.js';
import type { LatestAccounts } from '../store/latest-accounts.js';
import type { RedisLock } from '../store/redis-lock.js';
import type { RunHistory } from '../store/run-history.js';
import { createHostSource, hostRules, type ConnectScalekit, type ScalekitConnection } from '../app.js';

/** What the jobs of a worker process share: configuration, rules, the stores, the Scalekit connector. */
export interface JobListDeps {
  config: ScalekitConfig;
  rules: DomainRules;
  /** The Redis rate budget every Scalekit client of every process shares. */
  rateBudget: RateBudget;
  /** Per-organization lock across processes. */
  lock: RedisLock;
  imports: RedisImportStore;
  /** Newest account states pushed by webhooks and organizations shown by Scalekit events (read by reconciles). */
  latestAccounts: LatestAccounts;
  /** The run history: what a `retry` reads (the run, and the account records kept with it). */
  runHistory: Pick<RunHistory, 'get' | 'retryRecords'>;
  /** One Scalekit snapshot per bulk import, shared by its chunks. */
  importSnapshots: ImportSnapshots;
  /** Which rows of each chunk were written, so a retried chunk does not write them again. */
  chunkProgress: ChunkProgressStore;
  /** Opens a Scalekit client per job (so each report counts its own calls); closed when the job ends. */
  connectScalekit: ConnectScalekit;
  /** Counts every job's Scalekit calls (flushed to Redis for `/metrics`); optional. */
  callCounter?: CallCounter | undefined;
}

/** One job's view of the shared deps: its context, and its own Scalekit client, opened on first use. */
interface JobScope {
  context: JobContext;
  scalekit(): ScalekitConnection;
}

type HelperFactories = { [K in JobKind]: (scope: JobScope) => HelpersOf<K> };

/** The helpers of each kind: each gets only what it uses (style §5.4). */
function helperFactories(deps: JobListDeps): HelperFactories {
  const { config, rules } = deps;
  const base = ({ context }: JobScope): BaseHelpers => ({
    logger: context.logger,
    signal: context.signal,
    jobId: context.jobId,
    runId: context.runId,
  });
  // Records of the host source get ORGSYNC_REGION; a bulk import's rows were given theirs at enqueue.
  const host = hostRules(config);
  const sync = (scope: JobScope, jobRules = rules, policy = { allowDelete: false, adopt: false }): SyncHelpers => ({
    ...base(scope),
    // The engine binds `run_id` itself: it gets the job's logger without it.
    engine: { api: scope.scalekit().api, logger: scope.context.jobLogger, rules: jobRules },
    applySettings: {
      ...policy,
      concurrency: config.concurrency,
      deleteMaxCount: config.deleteMaxCount,
      deleteMaxPercent: config.deleteMaxPercent,
      deleteBlockOnInvalid: config.deleteBlockOnInvalid,
      exclusive: (key, fn) => deps.lock.exclusive(key, fn),
    },
  });
  const hostSource = () => createHostSource(config, host);
  // The nightly sync's policy (ORGSYNC_NIGHTLY_*): deletes go through the same safeguards as apply's.
  const nightly = { allowDelete: config.nightlyAllowDelete, adopt: config.nightlyAdopt };
  return {
    'nightly-sync': (scope) => ({ ...sync(scope, host, nightly), hostSource }),
    'bulk-import': (scope) => ({
      ...base(scope),
      rules,
      imports: deps.imports,
      childResults: () => scope.context.childResults(),
    }),
    'bulk-import-chunk': (scope) => ({
      ...sync(scope),
      imports: deps.imports,
      rerun: scope.context.rerun,
      chunkProgress: (importId, chunkIndex) => deps.chunkProgress.of(importId, chunkIndex),
      importSnapshot: (importId) => deps.importSnapshots.provider(importId, scope.scalekit().api, scope.context.signal),
    }),
    reconcile: (scope) => ({
      ...sync(scope, host),
      hostSource,
      knownState: (externalId) => deps.latestAccounts.get(externalId),
    }),
    retry: (scope) => ({
      ...sync(scope),
      runs: deps.runHistory,
      hostSource,
      knownState: (externalId) => deps.latestAccounts.get(externalId),
    }),
  };
}

/** Runs `fn` with the job's scope; the Scalekit client it opened, if any, is closed when `fn` ends. */
async function withJobScope<T>(deps: JobListDeps, context: JobContext, fn: (scope: JobScope) => Promise<T>) {
  let connection: ScalekitConnection | undefined;
  const { callCounter } = deps;
  const scalekit = (): ScalekitConnection =>
    (connection ??= deps.connectScalekit(deps.config, context.logger, {
      rateBudget: deps.rateBudget,
      onRequest: callCounter ? (info) => callCounter.observe(info) : undefined,
    }));
  try {
    return await fn({ context, scalekit });
  } finally {
    // An aborted job does not wait for its client's pool to drain: a shared token request is not
    // cancelled by the abort and may take up to the request timeout.
    const closed = connection
      ?.close()
      .catch((error: unknown) => context.logger.warn({ err: error }, 'could not close the Scalekit client'));
    if (!context.signal.aborted) await closed;
  }
}

/** One kind as the queue runs it: the catalog's spec, and `run` bound to the kind's helpers. */
function queueJob<K extends JobKind>(
  kind: K,
  deps: JobListDeps,
  factories: HelperFactories,
): QueueJob<PayloadSchema<K>> {
  return {
    ...jobSpecOf(kind),
    run: (payload, context) =>
      withJobScope(deps, context, (scope) => processJob(kind, payload, factories[kind](scope))),
  };
}

/** The job list a worker takes (as graphile-worker takes its task list): every kind, bound to its helpers. */
export function createJobList(deps: JobListDeps): JobList {
  const factories = helperFactories(deps);
  return Object.fromEntries(JOB_KINDS.map((kind) => [kind, queueJob(kind, deps, factories)]));
}
