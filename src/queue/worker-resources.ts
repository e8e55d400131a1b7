import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { connectScalekit } from '../app.js';
import type { Config } from '../config.js';
import { ConfigError } from '../errors.js';
import { closeConnection, createWorkerConnection, queueKeyPrefix } from '../store/redis-connections.js';
import { createCallCounter } from '../store/call-counter.js';
import { createLatestAccounts } from '../store/latest-accounts.js';
import { createEchoCounter } from '../store/reconcile-echoes.js';
import { createImportSnapshots } from '../store/import-snapshot.js';
import { createImportStore, DEFAULT_IMPORT_TTL_S } from '../store/import-store.js';
import type { JobProcessorDeps } from './job-processor.js';
import { createRedisLock } from '../store/redis-lock.js';
import { createRedisRateBudget } from '../store/redis-rate-budget.js';
import { createReleasers, type Releasers } from '../lifecycle.js';
import { createRunHistory } from '../store/run-history.js';

/** What a worker process shares between its jobs, and the closers of what it opened. */
export interface WorkerResources {
  redis: Redis;
  /** A handle on the queue, for the scheduler and the queue-wide rate limit. */
  queue: Queue;
  deps: JobProcessorDeps;
  releasers: Releasers;
}

/**
 * Opens the worker's connection (reconnecting forever, `maxRetriesPerRequest: null`) and builds on
 * it the shared Redis rate budget, the per-organization lock, the run history and the import
 * store. The connection is closed last, after the queue handle.
 */
export function openWorkerResources(options: {
  config: Config;
  logger: Logger;
  queueName: string;
  connectScalekit?: JobProcessorDeps['connectScalekit'];
}): WorkerResources {
  const { config, logger, queueName } = options;
  const environmentUrl = config.scalekitEnvironmentUrl;
  if (!environmentUrl)
    throw new ConfigError(['SCALEKIT_ENVIRONMENT_URL is required for orgsync worker — your Scalekit environment URL']);
  const releasers = createReleasers();
  const redis = createWorkerConnection(
    config.redisUrl,
    (error) => logger.warn({ err: error }, 'Redis connection error'),
    { connectionName: `orgsync:worker:${queueName}` },
  );
  releasers.add('redis', () => closeConnection(redis));
  // Released just before the connection it flushes through (releasers run last-in, first-out).
  const callCounter = createCallCounter(redis, { keyPrefix: queueKeyPrefix(queueName) });
  releasers.add('call counter', () => callCounter.close());
  const queue = new Queue(queueName, { connection: redis });
  releasers.add('queue', () => queue.close());
  queue.on('error', (error) => logger.warn({ err: error }, 'queue error'));
  const deps: JobProcessorDeps = {
    config,
    logger,
    rateBudget: createRedisRateBudget({ redis, environmentUrl, ratePerSecond: config.rateLimit }),
    lock: createRedisLock({ redis, scope: environmentUrl, logger }),
    runHistory: createRunHistory(redis, { keyPrefix: queueKeyPrefix(queueName), limit: config.runHistory }),
    imports: createImportStore(redis, { keyPrefix: queueKeyPrefix(queueName) }),
    latestAccounts: createLatestAccounts(redis, { keyPrefix: queueKeyPrefix(queueName) }),
    importSnapshots: createImportSnapshots(redis, {
      keyPrefix: queueKeyPrefix(queueName),
      ttlSeconds: DEFAULT_IMPORT_TTL_S,
    }),
    callCounter,
    echoCounter: createEchoCounter(redis, { keyPrefix: queueKeyPrefix(queueName) }),
    connectScalekit: options.connectScalekit ?? connectScalekit,
  };
  return { redis, queue, deps, releasers };
}
