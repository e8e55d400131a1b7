import type { Logger } from 'pino';
import { jobOptionsFor, type PayloadInput } from '../../jobs/catalog.js';
import { connectScalekit, domainRules, type ConnectScalekit } from '../app.js';
import type { Config, ScalekitConfig } from '../config.js';
import { createReleasers } from '../lifecycle.js';
import type { JobSchedule } from '../queue/job-schedule.js';
import { startWorkerHealthServer, WORKER_HEALTH_PATH } from '../queue/worker-health.js';
import { startQueueWorker, type QueueWorker } from '../queue/worker.js';
import { createCallCounter } from '../store/call-counter.js';
import { createChunkProgressStore } from '../store/chunk-progress.js';
import { createImportSnapshots } from '../store/import-snapshot.js';
import { createImportStore, DEFAULT_IMPORT_TTL_S } from '../store/import-store.js';
import { createLatestAccounts } from '../store/latest-accounts.js';
import { createNoticeThrottle } from '../store/notice-throttle.js';
import { createNotificationCounter } from '../store/notification-counter.js';
import { createEchoCounter } from '../store/reconcile-echoes.js';
import { createNoopCounter } from '../store/reconcile-noops.js';
import {
  closeConnection,
  createWorkerConnection,
  DEFAULT_QUEUE_NAME,
  queueKeyPrefix,
  watchOutages,
} from '../store/redis-connections.js';
import { createRedisLock } from '../store/redis-lock.js';
import { createRedisRateBudget } from '../store/redis-rate-budget.js';
import { createRunHistory } from '../store/run-history.js';
import { createJobList } from './job-list.js';
import { notifierFromConfig, notifyRecordedRuns, RECONCILE_NOTICE_WINDOW_S } from './run-notifications.js';

/** ID of the job scheduler that starts the nightly sync (one per queue, whatever the number of workers). */
export const NIGHTLY_SCHEDULER_ID = 'nightly-sync';

/** How long a closing worker waits for notifications still being delivered. */
const NOTIFIER_CLOSE_MS = 5_000;

/** Options of `startWorker`. */
export interface WorkerOptions {
  /** Needs the Scalekit settings (`loadConfig` with `require: SCALEKIT_SETTINGS`). */
  config: ScalekitConfig;
  logger: Logger;
  /** Default `orgsync`. */
  queueName?: string;
  /** Jobs this process runs at once (`--concurrency`). Default 2. */
  concurrency?: number;
  /** Register the nightly sync's job scheduler. Default true. */
  schedule?: boolean;
  /**
   * How long a dead worker's job stays locked before another worker may take it (BullMQ
   * `lockDuration`, renewed every half of it; ORGSYNC_WORKER_LOCK_DURATION_MS). Default 15,000 ms.
   */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for (BullMQ `stalledInterval`; ORGSYNC_WORKER_STALLED_INTERVAL_MS). Default 10,000 ms. */
  stalledIntervalMs?: number;
  /** Default `connectScalekit`; tests may wrap it. */
  connectScalekit?: ConnectScalekit;
  /** Serve `GET /healthz` on this port (`--health-port`), on ORGSYNC_HTTP_HOST. Default: off. */
  healthPort?: number | undefined;
}

/** A running worker process; `healthUrl` is set when it serves its health endpoint. */
export interface WorkerProcess extends QueueWorker {
  healthUrl?: string | undefined;
}

/**
 * The nightly sync's schedule: ORGSYNC_NIGHTLY_CRON in ORGSYNC_NIGHTLY_TZ (default `0 2 * * *`
 * UTC). Without ORGSYNC_SOURCE there is nothing to sync, and the worker says why.
 */
function nightlySchedule(config: Config): JobSchedule {
  const base = { id: NIGHTLY_SCHEDULER_ID, label: 'nightly sync' };
  if (!config.source)
    return {
      ...base,
      unavailable:
        'ORGSYNC_SOURCE is not set on this worker, so there is nothing to sync nightly; set it (e.g. postgres:accounts) to schedule the nightly sync',
    };
  const payload: PayloadInput<'nightly-sync'> = { trigger: 'schedule' };
  return {
    ...base,
    kind: 'nightly-sync',
    payload,
    options: jobOptionsFor('nightly-sync'),
    cron: config.nightlyCron,
    timeZone: config.nightlyTimeZone,
    cronSetting: 'ORGSYNC_NIGHTLY_CRON',
    timeZoneSetting: 'ORGSYNC_NIGHTLY_TZ',
  };
}

/**
 * Starts an `orgsync worker` process: opens its connection (reconnecting forever,
 * `maxRetriesPerRequest: null`), builds on it the shared Redis rate budget, the per-organization
 * lock, the run history and the other stores, binds the job list to them, and starts the queue's
 * worker with it. The connection is closed last, after the queue handle.
 */
export async function startWorker(options: WorkerOptions): Promise<WorkerProcess> {
  const { config } = options;
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const logger = options.logger.child({ queue: queueName });
  const environmentUrl = config.scalekitEnvironmentUrl;
  const releasers = createReleasers();
  // Each reconnect attempt is an error: `watchOutages` says once that Redis went away, and when it is back.
  const redis = createWorkerConnection(config, (error) => logger.debug({ err: error }, 'Redis connection error'), {
    connectionName: `orgsync:worker:${queueName}`,
  });
  watchOutages(redis, config, logger);
  releasers.add('redis', () => closeConnection(redis));
  const keyPrefix = queueKeyPrefix(queueName, redis);
  // Released just before the connection it flushes through (releasers run last-in, first-out).
  const callCounter = createCallCounter(redis, { keyPrefix });
  releasers.add('call counter', () => callCounter.close());
  const runHistory = createRunHistory(redis, { keyPrefix, limit: config.runHistory });
  // Released before the connection its counter writes through: deliveries in flight may finish.
  const notifier = notifierFromConfig(config, logger, createNotificationCounter(redis, { keyPrefix }));
  if (notifier) releasers.add('notifier', () => notifier.close(NOTIFIER_CLOSE_MS));
  try {
    const worker = await startQueueWorker({
      redis,
      redisUrl: config.redisUrl,
      redisMode: config.redisMode,
      logger: options.logger,
      queueName,
      jobs: createJobList({
        config,
        rules: domainRules(config),
        rateBudget: createRedisRateBudget({ redis, environmentUrl, ratePerSecond: config.rateLimit }),
        lock: createRedisLock({ redis, scope: environmentUrl, logger }),
        imports: createImportStore(redis, { keyPrefix }),
        latestAccounts: createLatestAccounts(redis, { keyPrefix }),
        importSnapshots: createImportSnapshots(redis, { keyPrefix, ttlSeconds: DEFAULT_IMPORT_TTL_S }),
        chunkProgress: createChunkProgressStore(redis, { keyPrefix, ttlSeconds: DEFAULT_IMPORT_TTL_S }),
        callCounter,
        runHistory,
        connectScalekit: options.connectScalekit ?? connectScalekit,
      }),
      runHistory,
      echoCounter: createEchoCounter(redis, { keyPrefix }),
      noopCounter: createNoopCounter(redis, { keyPrefix }),
      onRunRecorded: notifier
        ? notifyRecordedRuns({
            notifier,
            reconcileThrottle: createNoticeThrottle(redis, { keyPrefix, windowSeconds: RECONCILE_NOTICE_WINDOW_S }),
            logger,
          })
        : undefined,
      releasers,
      concurrency: options.concurrency,
      schedule: options.schedule === false ? undefined : nightlySchedule(config),
      lockDurationMs: options.lockDurationMs,
      stalledIntervalMs: options.stalledIntervalMs,
    });
    if (options.healthPort === undefined) return worker;
    return await withHealthEndpoint(worker, { port: options.healthPort, host: config.httpHost, logger });
  } catch (error) {
    // The queue's worker releases them when it fails to start; anything before it leaves them to us.
    await releasers.releaseAll().catch(() => undefined);
    throw error;
  }
}

/** Serves the worker's `GET /healthz`; closing the worker closes the endpoint after it. */
async function withHealthEndpoint(
  worker: QueueWorker,
  options: { port: number; host: string; logger: Logger },
): Promise<WorkerProcess> {
  let health;
  try {
    health = await startWorkerHealthServer({ port: options.port, host: options.host, check: () => worker.health() });
  } catch (error) {
    await worker.close();
    throw error;
  }
  options.logger.info({ url: `${health.url}${WORKER_HEALTH_PATH}` }, 'health endpoint listening');
  const server = health;
  return {
    schedule: worker.schedule,
    health: () => worker.health(),
    kill: () => worker.kill(),
    close: (closeOptions) => worker.close(closeOptions).finally(() => server.close()),
    healthUrl: server.url,
  };
}
