import type { RedisConnection as Redis } from './redis-client.js';

/** How a notification delivery ended. */
export type NotificationResult = 'sent' | 'failed';

/**
 * Notification deliveries of every process (workers, the CLI), counted in one Redis hash so that
 * `orgsync serve` shows the totals at `/metrics` (`orgsync_notifications_total{result}`):
 * `<keyPrefix>notifications`, fields `sent` and `failed`.
 */
export interface NotificationCounter {
  count(result: NotificationResult): Promise<void>;
}

const keyOf = (keyPrefix: string) => `${keyPrefix}notifications`;

export function createNotificationCounter(redis: Redis, options: { keyPrefix: string }): NotificationCounter {
  return {
    async count(result) {
      await redis.hincrby(keyOf(options.keyPrefix), result, 1);
    },
  };
}

/** The deliveries every process has counted so far, by result. */
export async function readNotificationCounts(
  redis: Redis,
  keyPrefix: string,
): Promise<Record<NotificationResult, number>> {
  const counts = await redis.hmget(keyOf(keyPrefix), 'sent', 'failed');
  return { sent: Number(counts[0] ?? 0), failed: Number(counts[1] ?? 0) };
}
