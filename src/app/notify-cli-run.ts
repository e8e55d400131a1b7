import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { runVerdictOf } from '../engine/run-verdict.js';
import type { DeliveryResult } from '../notify/notifier.js';
import type { NoticeRun } from '../notify/run-notice.js';
import { createNotificationCounter } from '../store/notification-counter.js';
import { closeConnection, connectProducerConnection, queueKeyPrefix } from '../store/redis-connections.js';
import { notifierFromConfig } from './run-notifications.js';
import type { RedisSettings } from '../store/redis-client.js';

/** How long the CLI tries to reach Redis to count its deliveries (`orgsync_notifications_total`). */
const COUNT_CONNECT_TIMEOUT_MS = 1_000;

/**
 * The notification of an `orgsync apply` (ORGSYNC_NOTIFY_URL, filtered by ORGSYNC_NOTIFY_ON),
 * sent before the command exits: it waits for every delivery, each bounded by its timeout and
 * tries, and never throws, so the exit code stays the run's. The deliveries are counted in the
 * queue's Redis (REDIS_URL) when it answers within a second; otherwise only logged.
 */
export async function notifyCliRun(config: Config, logger: Logger, run: NoticeRun): Promise<void> {
  const results: DeliveryResult[] = [];
  const notifier = notifierFromConfig(config, logger, { count: async (result) => void results.push(result) });
  if (!notifier || !notifier.wants(runVerdictOf(run.summary))) return;
  await notifier.send(run);
  await countDeliveries(config, results, logger);
}

async function countDeliveries(
  redisSettings: RedisSettings & Pick<Config, 'queueName'>,
  results: readonly DeliveryResult[],
  logger: Logger,
): Promise<void> {
  if (results.length === 0) return;
  try {
    const redis = await connectProducerConnection(redisSettings, undefined, {
      connectTimeout: COUNT_CONNECT_TIMEOUT_MS,
      retryStrategy: () => null,
    });
    try {
      const counter = createNotificationCounter(redis, { keyPrefix: queueKeyPrefix(redisSettings.queueName, redis) });
      for (const result of results) await counter.count(result);
    } finally {
      await closeConnection(redis);
    }
  } catch (error) {
    logger.debug({ err: error }, 'notifications not counted: Redis is not reachable');
  }
}
