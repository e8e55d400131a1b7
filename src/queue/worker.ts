import { Queue, UnrecoverableError, WaitingError, Worker, type Job, type WorkerOptions } from 'bullmq';
import type { RedisConnection as Redis } from '../store/redis-client.js';
import type { Logger } from 'pino';
import type { Releasers } from '../lifecycle.js';
import { RateLimitedError } from '../scalekit/errors.js';
import type { EchoCounter } from '../store/reconcile-echoes.js';
import type { NoopCounter } from '../store/reconcile-noops.js';
import { describeRedis, type RedisMode } from '../store/redis-client.js';
import { DEFAULT_QUEUE_NAME } from '../store/redis-connections.js';
import { bullPrefix } from '../store/redis-keys.js';
import type { RunHistory } from '../store/run-history.js';
import { classifyJobError } from './classify-job-error.js';
import { createJobProcessor, type RunRecordedHook } from './job-processor.js';
import type { JobList } from './job-list.js';
import { scheduleJob, type JobSchedule, type ScheduleResult } from './job-schedule.js';
import type { WorkerHealth } from './worker-health.js';
import { shutDownWorker, type InFlightJobs } from './worker-shutdown.js';

/** A job rate limited (or stalled) this many times without finishing fails instead of looping. */
export const MAX_RESTARTS = 20;
/**
 * A job's lock: renewed every half of it while the job runs; once a dead worker's lock expires, the
 * next stalled-job check (every `DEFAULT_STALLED_INTERVAL_MS`) puts the job back for another
 * worker, so it is taken over within about 15 + 10 s (docs/queue.md, "Stall recovery").
 */
export const DEFAULT_LOCK_DURATION_MS = 15_000;
/** How often each worker looks for stalled jobs (one check per interval across all workers). */
export const DEFAULT_STALLED_INTERVAL_MS = 10_000;
/**
 * How many times a job may stall (lose its lock) and be taken again before it fails (BullMQ's
 * default is 1). A Sentinel failover or a Redis restart can drop every lock at once; every job of
 * ours is safe to run again (a chunk resumes from its progress record), so it is taken again.
 */
export const MAX_STALLED_COUNT = 3;
/** Wait after a 429 that outlasted the client's retries and gave no `Retry-After`. */
const RATE_LIMITED_DEFAULT_MS = 30_000;

/** Options of `startQueueWorker`: what the composition root built for this worker. */
export interface QueueWorkerOptions {
  /** The worker's connection (reconnecting forever, `maxRetriesPerRequest: null`), shared with the stores. */
  redis: Redis;
  /** REDIS_URL, for the "worker starting" line (without credentials). */
  redisUrl: string;
  /** ORGSYNC_REDIS_MODE, for the same line. Default `standalone`. */
  redisMode?: RedisMode | undefined;
  logger: Logger;
  /** Default `orgsync`. */
  queueName?: string;
  /** Every job kind this worker runs, with its processor bound (the queue imports no job). */
  jobs: JobList;
  runHistory: RunHistory;
  echoCounter?: EchoCounter | undefined;
  /** Counts reconciles that changed nothing and failed nothing. */
  noopCounter?: NoopCounter | undefined;
  /** Told of every recorded run (notifications), bounded by the composition root; optional. */
  onRunRecorded?: RunRecordedHook | undefined;
  /**
   * The closers of what the composition root opened for this worker (the connection, the stores);
   * the worker adds its own and releases them all, newest first, once it has stopped.
   */
  releasers: Releasers;
  /** Jobs this process runs at once (`--concurrency`). Default 2. */
  concurrency?: number;
  /** The job scheduler to register (the nightly sync). Default none. */
  schedule?: JobSchedule | undefined;
  /**
   * How long a dead worker's job stays locked before another worker may take it (BullMQ
   * `lockDuration`, renewed every half of it; ORGSYNC_WORKER_LOCK_DURATION_MS). Default 15,000 ms.
   */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for (BullMQ `stalledInterval`; ORGSYNC_WORKER_STALLED_INTERVAL_MS). Default 10,000 ms. */
  stalledIntervalMs?: number;
}

/** A running worker process. */
export interface QueueWorker {
  readonly schedule: ScheduleResult;
  /**
   * Graceful shutdown: stop taking jobs, let running ones finish until `deadlineMs` (default
   * 30,000), then abort them and hand them back to the queue for another worker, then close every
   * connection in reverse order. Idempotent.
   */
  close(options?: { deadlineMs?: number }): Promise<void>;
  /** Like a crash: drop the connections and abort running jobs at once (their locks expire and another worker takes them). */
  kill(): Promise<void>;
  /** Alive while its Redis connection is ready and its BullMQ worker runs, and it is not shutting down. */
  health(): WorkerHealth;
}

/**
 * Starts the BullMQ side of an `orgsync worker` process: one BullMQ worker for every kind of the
 * job list, and the job scheduler. The only place that maps our errors to BullMQ's:
 * `UnrecoverableError` (permanent), `Worker.RateLimitError` (429), `WaitingError` (shutdown).
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const log = options.logger.child({ component: 'worker', queue: queueName });
  const { redis, releasers } = options;
  const prefix = bullPrefix(redis);
  const queue = new Queue(queueName, { connection: redis, prefix });
  releasers.add('queue', () => queue.close());
  // While the connection is away its errors are the outage's, which the composition root logs once.
  const logError = (message: string) => (error: Error) => {
    if (redis.status === 'ready') log.warn({ err: error }, message);
    else log.debug({ err: error }, message);
  };
  queue.on('error', logError('queue error'));
  const inFlight: InFlightJobs = new Set();
  let stopping = false;
  let aborting = false;
  let worker: Worker | undefined;
  let schedule: ScheduleResult = { scheduled: false, reason: 'not asked to schedule it (--no-schedule)' };
  const processJob = createJobProcessor({
    jobs: options.jobs,
    logger: options.logger.child({ queue: queueName }),
    runHistory: options.runHistory,
    echoCounter: options.echoCounter,
    noopCounter: options.noopCounter,
    onRunRecorded: options.onRunRecorded,
  });

  async function runJob(job: Job, token: string | undefined, signal: AbortSignal): Promise<unknown> {
    const cutShort = () => stopping && signal.aborted;
    const restarts = () => job.attemptsStarted - job.attemptsMade - 1; // starts that ended without an attempt
    const isFinal = (error: unknown): boolean => {
      if (cutShort()) return false;
      const kind = classifyJobError(error);
      if (kind === 'permanent') return true;
      if (kind === 'rate-limited') return restarts() >= MAX_RESTARTS;
      return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    };
    try {
      const result = await processJob(job, signal, isFinal);
      if (cutShort()) return await release(job, token); // its writes may be partial: redo it elsewhere
      return result;
    } catch (error) {
      if (cutShort()) return await release(job, token);
      const kind = classifyJobError(error);
      const message = error instanceof Error ? error.message : String(error);
      if (kind === 'permanent') throw new UnrecoverableError(message);
      if (kind === 'rate-limited') {
        if (restarts() >= MAX_RESTARTS)
          throw new UnrecoverableError(
            `rate limited by Scalekit ${restarts() + 1} times without finishing: ${message}`,
          );
        const waitMs =
          error instanceof RateLimitedError && error.retryAfterMs ? error.retryAfterMs : RATE_LIMITED_DEFAULT_MS;
        log.warn(
          { job_id: job.id, wait_ms: waitMs },
          'Scalekit rate limit outlasted the retries: the job goes back to the queue without spending an attempt',
        );
        await queue.rateLimit(waitMs);
        throw Worker.RateLimitError();
      }
      throw error; // BullMQ retries it with the catalog's backoff
    }
  }

  /** Puts a job cut short by shutdown back in `wait` for another worker, without spending an attempt. */
  async function release(job: Job, token: string | undefined): Promise<never> {
    await job.moveToWait(token);
    log.info({ job_id: job.id, kind: job.name }, 'job released for another worker (shutdown)');
    throw new WaitingError();
  }

  const processor = async (job: Job, token?: string, signal?: AbortSignal): Promise<unknown> => {
    // A job BullMQ hands over once the shutdown aborts jobs (e.g. one just released to the queue and
    // fetched again by a fetch already under way) goes back at once, for another worker.
    if (aborting) return release(job, token);
    const running = runJob(job, token, signal ?? new AbortController().signal);
    inFlight.add(running);
    try {
      return await running;
    } finally {
      inFlight.delete(running);
    }
  };

  // The worker's connection waits for Redis forever: say where it waits.
  log.info({ redis: describeRedis({ redisUrl: options.redisUrl, redisMode: options.redisMode }) }, 'worker starting');
  try {
    if (options.schedule) schedule = await scheduleJob(queue, options.schedule, log);
    const workerOptions: WorkerOptions = {
      connection: redis,
      prefix,
      concurrency: options.concurrency ?? 2,
      autorun: false,
    };
    workerOptions.lockDuration = options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS;
    workerOptions.stalledInterval = options.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS;
    workerOptions.maxStalledCount = MAX_STALLED_COUNT;
    worker = new Worker(queueName, processor, workerOptions);
    worker.on('error', logError('worker error'));
    void worker.run().catch((error: unknown) => log.error({ err: error }, 'worker stopped on an error'));
    await worker.waitUntilReady();
  } catch (error) {
    await worker?.close(true);
    await releasers.releaseAll();
    throw error;
  }
  const started = worker;
  log.info({ concurrency: started.concurrency, nightly: schedule.scheduled }, 'worker started');

  let closing: Promise<void> | undefined;
  let killing: Promise<void> | undefined;
  return {
    schedule,
    health() {
      if (closing || killing) return { alive: false, reason: 'shutting down' };
      if (redis.status !== 'ready') return { alive: false, reason: `Redis connection ${redis.status}` };
      if (!started.isRunning()) return { alive: false, reason: 'the BullMQ worker is not running' };
      return { alive: true };
    },
    close(closeOptions = {}) {
      closing ??= (async () => {
        stopping = true;
        await shutDownWorker(started, inFlight, {
          deadlineMs: closeOptions.deadlineMs ?? 30_000,
          logger: log,
          onAbort: () => (aborting = true),
        });
        await releasers.releaseAll((name, error) =>
          log.warn({ err: error, resource: name }, 'could not close cleanly'),
        );
        log.info('worker closed');
      })();
      return closing;
    },
    kill() {
      // Independent of `close`, so that a second signal cuts a graceful shutdown short. Closing
      // first means BullMQ records nothing for the aborted jobs: they stay active until their
      // locks expire, and another worker's stalled-job check puts them back in `wait`.
      killing ??= (async () => {
        await started.close(true);
        redis.disconnect();
        started.cancelAllJobs('worker killed');
        await releasers.releaseAll(() => undefined);
      })();
      return killing;
    },
  };
}
