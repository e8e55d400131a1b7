import { Queue, UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { InvalidPayloadError, PermanentJobError } from '../../jobs/job-errors.js';
import { connectScalekit as defaultConnectScalekit } from '../app.js';
import type { Config } from '../config.js';
import { ConfigError } from '../errors.js';
import { PermissionDeniedError, RateLimitedError, UnauthenticatedError, ValidationError } from '../scalekit/errors.js';
import { closeConnection, createWorkerConnection, DEFAULT_QUEUE_NAME, queueKeyPrefix } from './connections.js';
import { createImportStore } from './import-store.js';
import { createJobProcessor, type JobProcessorDeps } from './job-processor.js';
import { scheduleNightlySync, type NightlySchedule } from './nightly-schedule.js';
import { createRedisLock } from './redis-lock.js';
import { createRedisRateBudget } from './redis-rate-budget.js';
import { createReleasers } from './releasers.js';
import { createRunHistory } from './run-history.js';
import { shutDownWorker, type InFlightJobs } from './worker-shutdown.js';

/** A job rate limited (or stalled) this many times without finishing fails instead of looping. */
export const MAX_RESTARTS = 20;
/** Wait after a 429 that outlasted the client's retries and gave no `Retry-After`. */
const RATE_LIMITED_DEFAULT_MS = 30_000;

/** Options of `startQueueWorker`. */
export interface QueueWorkerOptions {
  config: Config;
  logger: Logger;
  /** Default `orgsync`. */
  queueName?: string;
  /** Jobs this process runs at once (`--concurrency`). Default 2. */
  concurrency?: number;
  /** Register the nightly sync's job scheduler. Default true. */
  schedule?: boolean;
  /** How long a dead worker's job stays locked before another worker takes it (BullMQ `lockDuration`). Default 30,000 ms. */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for (BullMQ `stalledInterval`). Default 30,000 ms. */
  stalledIntervalMs?: number;
  /** Default `connectScalekit` from app.ts; tests may count calls through their own. */
  connectScalekit?: JobProcessorDeps['connectScalekit'];
}

/** A running worker process. */
export interface QueueWorker {
  readonly schedule: NightlySchedule | { scheduled: false; reason: string };
  /**
   * Graceful shutdown: stop taking jobs, let running ones finish until `deadlineMs`, then abort
   * them and hand them back to the queue for another worker, then close every connection in
   * reverse order. Idempotent.
   */
  close(options?: { deadlineMs?: number }): Promise<void>;
  /** Like a crash: abort running jobs and drop the connections at once (their locks expire; another worker takes them over). */
  kill(): Promise<void>;
}

/** What to do about an error a processor threw. */
export type ErrorClass = 'permanent' | 'rate-limited' | 'retry';

/** Classifies by what to do (style §3.2): permanent errors fail at once, 429s wait without burning an attempt. */
export function classifyJobError(error: unknown): ErrorClass {
  if (error instanceof RateLimitedError) return 'rate-limited';
  if (
    error instanceof InvalidPayloadError || error instanceof PermanentJobError || error instanceof ConfigError ||
    error instanceof UnauthenticatedError || error instanceof PermissionDeniedError || error instanceof ValidationError
  ) return 'permanent';
  return 'retry';
}

/**
 * Starts an `orgsync worker` process: one BullMQ worker running every job kind, the shared Redis
 * rate budget and lock, the run history and the nightly scheduler. The only place that maps our
 * errors to BullMQ's (`UnrecoverableError`, `Worker.RateLimitError`, `WaitingError`).
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const { config } = options;
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const log = options.logger.child({ component: 'worker', queue: queueName });
  const environmentUrl = config.scalekitEnvironmentUrl;
  if (!environmentUrl) throw new ConfigError(['SCALEKIT_ENVIRONMENT_URL is required for orgsync worker — your Scalekit environment URL']);
  const releasers = createReleasers();
  const redis = createWorkerConnection(config.redisUrl, (error) => log.warn({ err: error }, 'Redis connection error'), { connectionName: `orgsync:worker:${queueName}` });
  releasers.add('redis', () => closeConnection(redis));
  const queue = new Queue(queueName, { connection: redis });
  releasers.add('queue', () => queue.close());
  queue.on('error', (error) => log.warn({ err: error }, 'queue error'));

  let schedule: QueueWorker['schedule'] = { scheduled: false, reason: 'disabled by the caller' };
  try {
    if (options.schedule !== false) schedule = await scheduleNightlySync(queue, config, log);
  } catch (error) {
    await releasers.releaseAll();
    throw error;
  }

  const rateBudget = createRedisRateBudget({ redis, environmentUrl, ratePerSecond: config.rateLimit });
  const process = createJobProcessor({
    config,
    logger: options.logger.child({ queue: queueName }),
    rateBudget,
    lock: createRedisLock({ redis, scope: environmentUrl, logger: log }),
    runHistory: createRunHistory(redis, { keyPrefix: queueKeyPrefix(queueName), limit: config.runHistory }),
    imports: createImportStore(redis, { keyPrefix: queueKeyPrefix(queueName) }),
    connectScalekit: options.connectScalekit ?? defaultConnectScalekit,
  });
  const inFlight: InFlightJobs = new Set();
  let stopping = false;

  const worker = new Worker(
    queueName,
    async (job: Job, token?: string, signal?: AbortSignal) => {
      const controller = new AbortController();
      const onAbort = () => controller.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const running = runJob(job, token, controller.signal);
      inFlight.add(running);
      try {
        return await running;
      } finally {
        inFlight.delete(running);
        signal?.removeEventListener('abort', onAbort);
      }
    },
    { connection: redis, concurrency: options.concurrency ?? 2, lockDuration: options.lockDurationMs, stalledInterval: options.stalledIntervalMs, autorun: false },
  );
  worker.on('error', (error) => log.warn({ err: error }, 'worker error'));

  async function runJob(job: Job, token: string | undefined, signal: AbortSignal): Promise<unknown> {
    const cutShort = () => stopping && signal.aborted;
    const restarts = () => job.attemptsStarted - job.attemptsMade - 1; // starts that ended in no attempt
    const isFinal = (error: unknown): boolean => {
      if (cutShort()) return false;
      const kind = classifyJobError(error);
      if (kind === 'permanent') return true;
      if (kind === 'rate-limited') return restarts() > MAX_RESTARTS;
      return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    };
    try {
      const result = await process(job, signal, isFinal);
      if (cutShort()) return await release(job, token); // its writes may be partial: redo it elsewhere
      return result;
    } catch (error) {
      if (cutShort()) return await release(job, token);
      const kind = classifyJobError(error);
      const message = error instanceof Error ? error.message : String(error);
      if (kind === 'permanent') throw new UnrecoverableError(message);
      if (kind === 'rate-limited') {
        if (restarts() > MAX_RESTARTS) throw new UnrecoverableError(`rate limited by Scalekit ${restarts()} times without finishing: ${message}`);
        const waitMs = error instanceof RateLimitedError && error.retryAfterMs ? error.retryAfterMs : RATE_LIMITED_DEFAULT_MS;
        log.warn({ job_id: job.id, wait_ms: waitMs }, 'Scalekit rate limit outlasted the retries: the job goes back to the queue without spending an attempt');
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

  void worker.run().catch((error: unknown) => log.error({ err: error }, 'worker stopped on an error'));
  await worker.waitUntilReady();
  log.info({ concurrency: worker.concurrency, nightly: schedule.scheduled }, 'worker started');

  let closing: Promise<void> | undefined;
  return {
    schedule,
    close(closeOptions = {}) {
      closing ??= (async () => {
        stopping = true;
        await shutDownWorker(worker, inFlight, { deadlineMs: closeOptions.deadlineMs ?? 30_000, logger: log });
        await releasers.releaseAll((name, error) => log.warn({ err: error, resource: name }, 'could not close cleanly'));
        log.info('worker closed');
      })();
      return closing;
    },
    kill() {
      closing ??= (async () => {
        // Close first, so that BullMQ records nothing for the aborted jobs: they stay active, their
        // locks expire, and another worker's stalled-job check puts them back in `wait`.
        await worker.close(true);
        redis.disconnect();
        worker.cancelAllJobs('worker killed');
        await releasers.releaseAll(() => undefined);
      })();
      return closing;
    },
  };
}
